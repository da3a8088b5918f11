module github.com/strata-go/strata

go 1.26.7
