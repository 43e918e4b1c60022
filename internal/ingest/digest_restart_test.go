package ingest

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/bot/scheduler"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/internal/store"
)

// TestDigestItemsNeverRepeatAcrossRestarts runs the scheduled digest of
// live articles as serve does (store, refresher, library, scheduler), with
// a restart between the digests: each article is posted in one digest
// only, an update of a posted article does not post it again, and a slot
// fired again after a restart posts nothing.
func TestDigestItemsNeverRepeatAcrossRestarts(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "briefbot.db")
	slot1 := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC) // 07:00 in Amsterdam
	slot2 := slot1.AddDate(0, 0, 1)
	chat := bottest.NewAdapter("console")

	item := func(id, title, body string, date briefings.Date) store.LiveItem {
		a, err := briefings.NewArticle(briefings.ArticleMeta{ID: briefings.ArticleID(id), Source: "feed nos: " + id, Title: title, Date: date, Publisher: "nos"},
			[]briefings.Paragraph{{Text: body}}, false)
		if err != nil {
			t.Fatal(err)
		}
		return store.LiveItem{Article: a, Key: id, Origin: "feed:nos"}
	}
	day := func(d int) briefings.Date { return briefings.Date{Year: 2026, Month: 3, Day: d} }
	put := func(st *store.SQLite, at time.Time, items ...store.LiveItem) []store.Outcome {
		out, err := st.PutLive(ctx, items, store.PutOptions{Now: at})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	// process starts a "process": the store reopened, the library rebuilt
	// from it, a scheduler with its own owner name.
	process := func(owner string, now time.Time) (*store.SQLite, *Refresher, *scheduler.Scheduler) {
		st := openStore(t, path)
		lib := newLibrary(t)
		ref := NewRefresher(st, lib, "/articles", testLogger(t), nil)
		if err := ref.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		sch, err := scheduler.New(scheduler.Options{
			Store: st, Digester: lib, Senders: map[string]bot.Sender{"console": chat},
			Logger: testLogger(t), Clock: bottest.NewClock(now).Now, Owner: owner,
		})
		if err != nil {
			t.Fatal(err)
		}
		return st, ref, sch
	}
	posted := func(n int) []string {
		sent := chat.Sent()
		if len(sent) != n {
			t.Fatalf("%d digests posted, want %d", len(sent), n)
		}
		var ids []string
		for _, it := range sent[n-1].Reply.Items {
			ids = append(ids, string(it.Article))
		}
		return ids
	}

	st, ref, sch := process("a", slot1.Add(time.Minute))
	sub, err := st.AddSubscription(ctx, bot.Subscription{Platform: "console", Conversation: "desk", Topic: "interference",
		Cron: "0 7 * * *", TimeZone: "Europe/Amsterdam", CreatedBy: "U1", Created: slot1.AddDate(0, -1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	put(st, slot1.Add(-time.Hour),
		item("trollen", "Russische trollen verspreiden desinformatie over verkiezingen", "Russische trollen verspreidden desinformatie over de verkiezingen via nepaccounts op TikTok.", day(2)),
		item("kiesraad", "Hackers vallen website Kiesraad aan", "Hackers hebben de website van de Kiesraad aangevallen in de week voor de verkiezingen.", day(2)))
	if err := ref.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if err := sch.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(posted(1), []string{"kiesraad", "trollen"}, sortStrings); diff != "" {
		t.Errorf("first digest (-got +want):\n%s", diff)
	}

	// during the day: a posted article is updated, two new ones arrive (one
	// undated), and the process restarts
	if out := put(st, slot1.Add(5*time.Hour),
		item("trollen", "Russische trollen verspreiden desinformatie over verkiezingen, zegt AIVD", "Russische trollen verspreidden desinformatie over de verkiezingen via nepaccounts op TikTok, zegt de AIVD.", day(2))); out[0] != store.Updated {
		t.Fatalf("update: %v", out)
	}
	put(st, slot1.Add(8*time.Hour),
		item("iran", "Iran beïnvloedt verkiezingen met nepaccounts", "Iran probeerde de verkiezingen te beïnvloeden met nepaccounts en desinformatie op X.", day(2)),
		item("undated", "Hackers proberen stemcomputers te manipuleren", "Hackers probeerden de uitslag van de verkiezingen te manipuleren met een aanval op de Kiesraad.", briefings.Date{}))
	_ = st.Close()

	_, _, sch = process("b", slot2.Add(time.Minute))
	if err := sch.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(posted(2), []string{"iran", "undated"}, sortStrings); diff != "" {
		t.Errorf("second digest (-got +want):\n%s", diff)
	}

	// restarted again within the grace window: both slots are sent already
	_, _, sch = process("c", slot2.Add(10*time.Minute))
	if err := sch.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if err := sch.Fire(ctx, sub, slot2); err != nil {
		t.Fatal(err)
	}
	posted(2)
	if sent := chat.Sent(); !strings.Contains(sent[1].Reply.Title, "2 stories") {
		t.Errorf("second digest title %q", sent[1].Reply.Title)
	}
}

// sortStrings compares string slices as sets.
var sortStrings = cmpopts.SortSlices(func(a, b string) bool { return a < b })
