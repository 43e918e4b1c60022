package briefings

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Issue 12, items 1 and 2: a link out of the article directory is never
// followed (anyone who can drop a file there must not read the bot's
// secrets), a link inside it is, and FIFOs (named like articles, or behind
// a link) are skipped with a warning instead of blocking the load forever.
func TestLoadDirRefusesEscapesAndSpecialFiles(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.txt")
	if err := os.WriteFile(secret, []byte("Het geheime wachtwoord is hunter2 en niemand mag het weten."), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("echt.txt", "Een gewoon artikel\\n\\nDe gemeenteraad vergaderde dinsdag over de begroting van volgend jaar.")
	mustLink := func(target, name string) {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	mustLink(secret, "token.txt")                                        // absolute, outside
	mustLink("../"+filepath.Base(outside)+"/secret.txt", "relatief.txt") // relative, outside
	mustLink("echt.txt", "kopie-binnen.txt")                             // inside: allowed
	if err := syscall.Mkfifo(filepath.Join(dir, "pijp.txt"), 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	fifo2 := filepath.Join(outside, "pijp2")
	if err := syscall.Mkfifo(fifo2, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pijp-intern"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustLink("pijp-intern", "naar-pijp.txt") // a link to a FIFO inside the root

	type outcome struct {
		res LoadResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := LoadDir(context.Background(), dir, LoadOptions{})
		done <- outcome{res, err}
	}()
	var got outcome
	select {
	case got = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("LoadDir blocked on a special file")
	}
	if got.err != nil {
		t.Fatal(got.err)
	}
	for _, a := range got.res.Articles {
		for _, p := range a.Paragraphs {
			if strings.Contains(p.Text, "hunter2") {
				t.Errorf("article %s holds the file outside the article directory", a.Source)
			}
		}
	}
	skipped := map[string]string{}
	for _, s := range got.res.Skipped {
		skipped[s.Path] = s.Reason
	}
	for _, name := range []string{"token.txt", "relatief.txt", "pijp.txt", "naar-pijp.txt"} {
		if _, ok := skipped[name]; !ok {
			t.Errorf("%s was not reported as skipped (skipped: %v)", name, skipped)
		}
	}
	if !strings.Contains(skipped["pijp.txt"], "not a regular file") {
		t.Errorf("FIFO skipped for %q; want it named as not a regular file", skipped["pijp.txt"])
	}
	var sources []string
	for _, a := range got.res.Articles {
		sources = append(sources, a.Source)
	}
	// the link inside the root is a duplicate of echt.txt and is folded
	if len(got.res.Articles) != 1 || got.res.Articles[0].Source != "echt.txt" && got.res.Articles[0].Source != "kopie-binnen.txt" {
		t.Errorf("loaded %v; want the one real article", sources)
	}
}
