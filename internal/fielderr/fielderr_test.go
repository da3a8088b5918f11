package fielderr

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestErrors(t *testing.T) {
	errs := Sorted(Errors{{Key: "b", Message: "two"}, {Message: "whole"}, {Key: "a", Message: "one"}})
	assert.Equal(t, "whole; a: one; b: two", errs.Error())
	var fe *FieldError
	assert.True(t, errors.As(error(errs), &fe))
	assert.Equal(t, "whole", fe.Message)
}

func TestTruncateAndRender(t *testing.T) {
	assert.Equal(t, "ab…", Truncate("abc", 2))
	assert.Equal(t, "éé…", Truncate("ééé", 2))
	assert.Equal(t, "abc", Truncate("abc", 3))
	assert.Equal(t, `"x"`, Render("x", true))
	assert.Equal(t, "x", Render("x", false))
	assert.Equal(t, "7", Render(7, true))
}
