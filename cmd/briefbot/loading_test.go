package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
)

// TestLoadingGate: before the articles are in, a question waits for them
// a while and is then told they are loading; one that the load catches up
// with is answered; after the load everything passes at once.
func TestLoadingGate(t *testing.T) {
	lib, err := briefings.NewLibrary(briefings.Options{FreeDictDir: "-"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := briefings.LoadFS(ctx, briefings.SampleFS(), briefings.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	short := newLoadingGate(lib, time.Millisecond)
	if _, err := short.Answer(ctx, "Wie heeft Krebs ontslagen?", briefings.AskOptions{}); !errors.Is(err, bot.ErrLoading) {
		t.Errorf("Answer before the load: %v, want ErrLoading", err)
	}
	if _, err := short.Search(ctx, "Krebs", 3); !errors.Is(err, bot.ErrLoading) {
		t.Errorf("Search before the load: %v, want ErrLoading", err)
	}
	if _, err := short.Digest(ctx, briefings.DigestRequest{Topic: "interference"}); !errors.Is(err, bot.ErrLoading) {
		t.Errorf("Digest before the load: %v, want ErrLoading", err)
	}

	long := newLoadingGate(lib, time.Minute)
	got := make(chan briefings.Answer, 1)
	go func() {
		a, err := long.Answer(ctx, "Wie heeft Krebs ontslagen?", briefings.AskOptions{})
		if err != nil {
			t.Error(err)
		}
		got <- a
	}()
	if err := lib.Replace(ctx, res.Articles); err != nil {
		t.Fatal(err)
	}
	long.opened()
	short.opened()
	if a := <-got; !a.Answered || a.Text != "Donald Trump" {
		t.Errorf("the waiting question got %+v, want Donald Trump", a)
	}
	if a, err := short.Answer(ctx, "Wie heeft Krebs ontslagen?", briefings.AskOptions{}); err != nil || a.Text != "Donald Trump" {
		t.Errorf("after the load: %+v, %v", a, err)
	}
	short.opened() // twice is harmless
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := newLoadingGate(lib, time.Minute).Latest(cancelled, "", 3); !errors.Is(err, bot.ErrLoading) {
		t.Errorf("a cancelled wait: %v, want ErrLoading", err)
	}
}
