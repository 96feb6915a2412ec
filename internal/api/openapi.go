package api

import (
	"net/http"
	"reflect"
	"regexp"
	"strings"
)

// fixed are the endpoints outside the route table, documented by hand.
func (s *Server) fixed() []route {
	out := []route{
		{method: "GET", path: "/healthz", summary: "Liveness: always answers while the node runs (no token)", resp: map[string]any{}},
		{method: "GET", path: "/api/openapi.json", summary: "This document (no token)", resp: map[string]any{}},
		{method: "POST", path: "/api/cli", summary: "Run a CLI command inside the daemon (what the lienthong binary does when a daemon holds its store)", auth: true, req: CLIRequest{}, resp: CLIResponse{}},
	}
	if s.opts.Metrics != nil {
		out = append(out, route{method: "GET", path: "/metrics", summary: "Prometheus metrics (no token)"})
	}
	return out
}

var pathParam = regexp.MustCompile(`\{(\w+)\}`)

// Document builds the OpenAPI 3 document from the routes the mux serves.
func (s *Server) Document() map[string]any {
	paths := map[string]any{}
	for _, rt := range append(append([]route{}, s.routes...), s.fixed()...) {
		op := map[string]any{"summary": rt.summary}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.query {
			params = append(params, map[string]any{"name": q, "in": "query", "schema": map[string]any{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.req != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": jsonSchema(reflect.TypeOf(rt.req), 0)}}}
		}
		status := rt.status
		if status == 0 {
			status = http.StatusOK
		}
		ok := map[string]any{"description": http.StatusText(status)}
		if rt.resp != nil {
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": jsonSchema(reflect.TypeOf(rt.resp), 0)}}
		}
		responses := map[string]any{itoa(status): ok}
		if rt.auth {
			op["security"] = []any{map[string]any{"bearer": []any{}}}
			responses["401"] = map[string]any{"description": "missing or wrong token", "content": errContent}
		}
		if rt.req != nil || strings.Contains(rt.path, "{") || len(rt.query) > 0 {
			responses["400"] = map[string]any{"description": "bad input; the error names the field", "content": errContent}
		}
		op["responses"] = responses
		item, _ := paths[rt.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.path] = item
		}
		item[strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "lienthong node API", "version": "1",
			"description": "JSON API of a committee's node. Send the operator's token (lienthong token) as Authorization: Bearer TOKEN."},
		"paths": paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas":         map[string]any{"Error": jsonSchema(reflect.TypeOf(Error{}), 0)},
		},
	}
}

var errContent = map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}

func itoa(i int) string { return sprintf("%d", i) }

// jsonSchema describes a Go type as encoding/json writes it.
func jsonSchema(t reflect.Type, depth int) map[string]any {
	if depth > 6 {
		return map[string]any{}
	}
	if t.Implements(reflect.TypeOf((*interface{ MarshalText() ([]byte, error) })(nil)).Elem()) {
		return map[string]any{"type": "string"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return jsonSchema(t.Elem(), depth)
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string"}
		}
		return map[string]any{"type": "array", "items": jsonSchema(t.Elem(), depth+1)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": jsonSchema(t.Elem(), depth+1)}
	case reflect.Struct:
		props := map[string]any{}
		addFields(t, props, depth)
		return map[string]any{"type": "object", "properties": props}
	}
	return map[string]any{}
}

func addFields(t reflect.Type, props map[string]any, depth int) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				addFields(ft, props, depth)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		props[name] = jsonSchema(f.Type, depth+1)
	}
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Document())
}
