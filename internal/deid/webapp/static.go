package webapp

import (
	"embed"
	"io/fs"
	"net/http"
)

// assets holds the page, its script and its style sheet: the app loads
// nothing from outside the binary (no CDN), so it runs air-gapped and its
// measured image is the whole app.
//
//go:embed static
var assets embed.FS

func staticHandler() http.Handler {
	sub, err := fs.Sub(assets, "static")
	if err != nil {
		panic(err) // the embed pattern above guarantees the folder
	}
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/static/index.html" { // the template, not a page
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		fsrv.ServeHTTP(w, r)
	})
}
