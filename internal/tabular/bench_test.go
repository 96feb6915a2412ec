package tabular

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// register returns n members shaped like members, with distinct names.
func register(n int) []Row {
	rows := make([]Row, n)
	for i := range rows {
		m := members[i%2]
		rows[i] = Row{ID: fmt.Sprintf("%032x", i+1), Fields: make(map[string]string, len(m.Fields))}
		for k, v := range m.Fields {
			rows[i].Fields[k] = v
		}
		rows[i].Fields["name"] = fmt.Sprintf("%s %d", m.Fields["name"], i)
	}
	return rows
}

func benchmarkRead(b *testing.B, format Format, n int) {
	data := writeAll(b, format, WriteOptions{}, register(n))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), format, ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		got := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			got++
		}
		r.Close()
		if got != n {
			b.Fatalf("read %d rows; want %d", got, n)
		}
	}
}

func BenchmarkReadCSV10k(b *testing.B)  { benchmarkRead(b, CSV, 10000) }
func BenchmarkReadXLSX10k(b *testing.B) { benchmarkRead(b, XLSX, 10000) }

func BenchmarkWriteXLSX10k(b *testing.B) {
	rows := register(10000)
	b.ReportAllocs()
	for b.Loop() {
		writeAll(b, XLSX, WriteOptions{}, rows)
	}
}
