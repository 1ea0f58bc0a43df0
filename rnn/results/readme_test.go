package results

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/biornn/biornn/rnn"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

var updateREADME = flag.Bool("update", false, "rewrite the generated tables of README.md")

// The column tables of README.md are made from the code (the runs table's
// columns, the settings table, the epochs file's schema) between these
// markers, so the documented schema cannot drift from the written one.
const (
	readmeRunsBegin   = "<!-- BEGIN runs columns: made by TestSchemaREADME (go test ./rnn/results -run TestSchemaREADME -update) -->\n"
	readmeRunsEnd     = "<!-- END runs columns -->\n"
	readmeEpochsBegin = "<!-- BEGIN epochs columns: made by TestSchemaREADME -->\n"
	readmeEpochsEnd   = "<!-- END epochs columns -->\n"
)

// parquetTypeName names a column's Parquet type as a reader sees it.
func parquetTypeName(n parquet.Node) string {
	t := n.Type()
	if lt := t.LogicalType(); lt != nil {
		if ts, ok := lt.Value.(*format.TimestampType); ok {
			if !ts.IsAdjustedToUTC || ts.Unit.String() != "MICROS" {
				return "timestamp " + ts.String()
			}
			return "timestamp (int64, µs, UTC)"
		}
	}
	switch t.Kind() {
	case parquet.ByteArray:
		return "string"
	case parquet.Int64:
		return "int64"
	case parquet.Double:
		return "double"
	case parquet.Boolean:
		return "boolean"
	}
	return t.String()
}

func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// settingNull says when a setting's column is null.
func settingNull(s *rnn.Setting) string {
	var parts []string
	if w := s.AppliesWhen(); w != "" {
		parts = append(parts, "unless "+w)
	}
	if _, named := emptyNames()[s.Key]; s.Kind() == "string" && !named && s.Check(rnn.RunSpec{}) == nil {
		parts = append(parts, "when unset")
	}
	if len(parts) == 0 {
		return "no"
	}
	return strings.Join(parts, "; ")
}

// readmeRunsTable is the runs table's column list as README.md shows it.
func readmeRunsTable() string {
	var b strings.Builder
	b.WriteString("| # | column | type | null | meaning |\n|---|---|---|---|---|\n")
	fields := runsSchema().Fields()
	docs := map[string]column{}
	for _, c := range runColumns {
		docs[c.name] = c
	}
	for k, name := range RunColumns() {
		var null, meaning string
		if s, ok := rnn.LookupSetting(name); ok && s.Key == name {
			null = settingNull(s)
			meaning = fmt.Sprintf("setting (%s): %s. Default: %s.", s.Group, s.Help, s.Default)
			if name, ok := emptyNames()[s.Key]; ok {
				meaning += fmt.Sprintf(` Written as %s where the run's settings spell it "".`, name)
			}
			if s.Execution {
				meaning += " Not part of run_id."
			}
		} else {
			c := docs[name]
			null = "no"
			if c.optional {
				null = "yes"
			}
			meaning = c.doc + "."
		}
		fmt.Fprintf(&b, "| %d | `%s` | %s | %s | %s |\n", k+1, name, parquetTypeName(fields[k]), mdCell(null), mdCell(meaning))
	}
	return b.String()
}

// readmeEpochsTable is the epochs table's column list as README.md shows it.
func readmeEpochsTable() string {
	var b strings.Builder
	b.WriteString("| # | column | type | null | meaning |\n|---|---|---|---|---|\n")
	schema := parquet.SchemaOf(epochRecord{})
	for k, f := range schema.Fields() {
		null := "no"
		if f.Optional() {
			null = "yes"
		}
		fmt.Fprintf(&b, "| %d | `%s` | %s | %s | %s. |\n", k+1, f.Name(), parquetTypeName(f), null, mdCell(epochColumnDocs[f.Name()]))
	}
	return b.String()
}

// replaceBetween replaces the text between begin and end in doc.
func replaceBetween(doc, begin, end, body string) (string, error) {
	i := strings.Index(doc, begin)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("README.md lacks the markers %q ... %q", strings.TrimSpace(begin), strings.TrimSpace(end))
	}
	return doc[:i+len(begin)] + body + doc[j:], nil
}

// TestSchemaREADME: README.md lists every column of both tables, in order,
// with the type, nullability and meaning the code gives them. With -update
// it rewrites the lists.
func TestSchemaREADME(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	want, err := replaceBetween(doc, readmeRunsBegin, readmeRunsEnd, readmeRunsTable())
	if err != nil {
		t.Fatal(err)
	}
	if want, err = replaceBetween(want, readmeEpochsBegin, readmeEpochsEnd, readmeEpochsTable()); err != nil {
		t.Fatal(err)
	}
	if *updateREADME {
		if want != doc {
			if err := os.WriteFile("README.md", []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	if want != doc {
		t.Fatal("the column tables of rnn/results/README.md differ from the code: run 'go test ./rnn/results -run TestSchemaREADME -update' and review the change")
	}
	// Every column is named in the tables (a check of the generator).
	for _, c := range append(RunColumns(), epochColumns...) {
		if !strings.Contains(doc, "| `"+c+"` |") {
			t.Errorf("column %s is not listed", c)
		}
	}
	for _, c := range epochColumns {
		if epochColumnDocs[c] == "" {
			t.Errorf("epochs column %s has no description", c)
		}
	}
	for _, c := range runColumns {
		if c.doc == "" {
			t.Errorf("runs column %s has no description", c.name)
		}
	}
}
