package briefings

import (
	"embed"
	"io/fs"
)

//go:embed sample/*.txt
var sampleFiles embed.FS

// SampleFS returns the embedded sample articles: five Dutch news articles
// about election interference, in the .txt format, at the root of the
// returned file system. Load them with LoadFS.
func SampleFS() fs.FS {
	sub, err := fs.Sub(sampleFiles, "sample")
	if err != nil {
		// fs.Sub fails only for an invalid path, and "sample" is valid.
		panic(err)
	}
	return sub
}
