package answer

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/briefbot/briefbot/briefings/analysis"

	"golang.org/x/text/unicode/norm"
)

// DefaultFreeDictDir is where Debian's dict-freedict-eng-nld and
// dict-freedict-nld-eng packages install their dictionaries. briefbot reads
// them at run time when they are installed; their (GPL) data is never part
// of briefbot itself.
const DefaultFreeDictDir = "/usr/share/dictd"

// loadFreeDict reads the English-Dutch and Dutch-English FreeDict
// dictionaries in dictd format from dir and returns English word -> Dutch
// words. Missing dictionaries are not an error: the result is then empty.
func loadFreeDict(dir string) (map[string][]string, error) {
	out := map[string][]string{}
	// English -> Dutch: the headword is English, the senses Dutch.
	err := readDictd(dir, "freedict-eng-nld", func(head string, senses []string) {
		for _, s := range senses {
			out[head] = appendUnique(out[head], s)
		}
	})
	if err != nil {
		return nil, err
	}
	// Dutch -> English, reversed: each English sense points to the headword.
	err = readDictd(dir, "freedict-nld-eng", func(head string, senses []string) {
		for _, s := range senses {
			out[s] = appendUnique(out[s], head)
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// readDictd reads one dictd dictionary (NAME.index and NAME.dict.dz or
// NAME.dict) and calls entry with each folded headword and its folded
// single translations. A dictionary that is not there is skipped.
func readDictd(dir, name string, entry func(head string, senses []string)) error {
	index, err := os.ReadFile(filepath.Join(dir, name+".index"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read dictionary index: %w", err)
	}
	data, err := readDictData(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	for _, line := range strings.Split(string(index), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 || strings.HasPrefix(f[0], "00-database") || strings.HasPrefix(f[0], "00database") {
			continue
		}
		off, ok1 := dictdNumber(f[1])
		n, ok2 := dictdNumber(f[2])
		if !ok1 || !ok2 || off+n > len(data) {
			continue
		}
		head, senses := parseDictdEntry(data[off : off+n])
		if head != "" && len(senses) > 0 {
			entry(head, senses)
		}
	}
	return nil
}

func readDictData(base string) ([]byte, error) {
	if f, err := os.Open(base + ".dict.dz"); err == nil {
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("read dictionary %s.dict.dz: %w", base, err)
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			return nil, fmt.Errorf("read dictionary %s.dict.dz: %w", base, err)
		}
		return data, nil
	}
	data, err := os.ReadFile(base + ".dict")
	if err != nil {
		return nil, fmt.Errorf("read dictionary data for %s: %w", base, err)
	}
	return data, nil
}

// dictdNumber decodes dictd's base-64 numbers (A-Z a-z 0-9 + /).
func dictdNumber(s string) (int, bool) {
	const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	if s == "" || len(s) > 8 {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(digits, s[i])
		if d < 0 {
			return 0, false
		}
		v = v*64 + d
	}
	return v, true
}

// parseDictdEntry reads "word /pron/\n1. a, b\n2. c\n" into the folded
// headword and its single-word senses.
func parseDictdEntry(b []byte) (string, []string) {
	text := norm.NFKC.String(string(bytes.TrimSpace(b)))
	lines := strings.Split(text, "\n")
	head := lines[0]
	if i := strings.Index(head, " /"); i >= 0 {
		head = head[:i]
	}
	head = strings.Join(strings.Fields(analysis.Fold(head)), " ")
	var senses []string
	for _, l := range lines[1:] {
		l = strings.TrimSpace(l)
		if i := strings.Index(l, ". "); i > 0 && i <= 3 {
			l = l[i+2:]
		}
		for _, s := range strings.Split(l, ",") {
			s = strings.TrimSpace(analysis.Fold(s))
			if s != "" && !strings.ContainsAny(s, " ()[]{}/;:") {
				senses = append(senses, s)
			}
		}
	}
	return head, senses
}

// AddFreeDict adds the translations of Debian's FreeDict English-Dutch
// dictionaries in dir, when installed there, and returns how many English
// words they cover (0 when they are not installed).
func (lx *Lexicon) AddFreeDict(dir string) (int, error) {
	d, err := loadFreeDict(dir)
	if err != nil {
		return 0, err
	}
	lx.dict = d
	return len(d), nil
}
