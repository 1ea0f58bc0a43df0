package sweep

import (
	"strings"
	"unicode"
)

// The trainer's errors name the RunSpec field at fault ("rnn: RunSpec.LR =
// -1: expected ..."). Users never typed a RunSpec: they wrote a config key or
// a command-line flag. RenameFields rewrites the field names into those, so
// that every error names what the user can fix.

// renamedError keeps an error for errors.Is/As under a message that names
// config keys or flags.
type renamedError struct {
	msg string
	err error
}

func (e *renamedError) Error() string { return e.msg }
func (e *renamedError) Unwrap() error { return e.err }

// RenameFields returns err with every mention of RunSpec fields replaced by
// name(field): "rnn: RunSpec.A" and "RunSpec.A" become name(A), and a list
// "RunSpec.A/B" becomes name(A)/name(B). A mention with a field that name
// does not know (ok false) is left as it is. nil stays nil.
func RenameFields(err error, name func(field string) (string, bool)) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	var b strings.Builder
	changed := false
	for {
		k := strings.Index(msg, "RunSpec.")
		if k < 0 {
			b.WriteString(msg)
			break
		}
		start := k
		if strings.HasSuffix(msg[:k], "rnn: ") {
			start = k - len("rnn: ")
		}
		// The field list: letters and digits, fields separated by '/'.
		end := k + len("RunSpec.")
		for end < len(msg) {
			r := rune(msg[end])
			if unicode.IsLetter(r) || unicode.IsDigit(r) || (r == '/' && end+1 < len(msg) && unicode.IsUpper(rune(msg[end+1]))) {
				end++
				continue
			}
			break
		}
		fields := strings.Split(msg[k+len("RunSpec."):end], "/")
		names := make([]string, 0, len(fields))
		for _, f := range fields {
			if n, ok := name(f); ok {
				names = append(names, n)
			}
		}
		if len(names) == len(fields) && len(fields) > 0 && fields[0] != "" {
			b.WriteString(msg[:start])
			b.WriteString(strings.Join(names, "/"))
			changed = true
		} else {
			b.WriteString(msg[:end])
		}
		msg = msg[end:]
	}
	if !changed {
		return err
	}
	return &renamedError{msg: b.String(), err: err}
}
