// Package ui is the node's web UI: plain HTML, CSS and JavaScript modules,
// embedded in the binary and served by internal/api at the root of the
// node's HTTP address. There is no build step: the files under static are
// what the browser loads.
//
// The UI talks only to the JSON API of internal/api, with the session
// cookie that opening /?token=TOKEN sets. It is Vietnamese by default with
// an English switch (every string lives in the two dictionaries of
// js/i18n.js), shows dates as dd/mm/yyyy, keeps the API's member order
// (given name, then middle, then family name, Vietnamese collation) and
// sorts on the client with Intl.Collator("vi") in the same way.
// print.html renders the official forms (Mẫu 1-213, Mẫu 3-213, the
// transfer letter, the register page, the alerts list) for A4 printing.
package ui

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// FS holds the UI's files, with index.html at the top.
var FS fs.FS = sub()

func sub() fs.FS {
	f, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the directory is embedded above: this cannot fail
	}
	return f
}
