package bot_test

import (
	"fmt"
	"testing"

	"github.com/briefbot/briefbot/bot"
)

func TestQuestionText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"who fired Krebs?", "who fired Krebs?"},
		{"who fired Krebs? cc @alice", "who fired Krebs?"},
		{"wie heeft Krebs ontslagen? cc alice", "wie heeft Krebs ontslagen?"},
		{"wie heeft Krebs ontslagen? cc Alice en Bob", "wie heeft Krebs ontslagen?"},
		{"who fired Krebs? thanks!", "who fired Krebs?"},
		{"who fired Krebs (see #general)?", "who fired Krebs?"},
		{"wie heeft Krebs ontslagen (zie #general)", "wie heeft Krebs ontslagen"},
		{"wie heeft Krebs ontslagen? zie #general", "wie heeft Krebs ontslagen?"},
		{"@alice wie heeft Krebs ontslagen?", "wie heeft Krebs ontslagen?"},
		{"who fired Krebs, @alice?", "who fired Krebs?"},
		{"who fired Krebs? @alice:example.org @bob", "who fired Krebs?"},
		{"Krebs? who fired him", "Krebs? who fired him"},
		{"how many votes did #1 get", "how many votes did #1 get"},
		{"wat zegt de AIVD over #MeToo", "wat zegt de AIVD over #MeToo"},
		{"who fired Krebs (cc @alice, @bob)?", "who fired Krebs?"},
		{"@alice", "@alice"},
		{"email me at a@b.nl: who fired Krebs?", "email me at a@b.nl: who fired Krebs?"},
	} {
		if got := bot.QuestionText(tc.in); got != tc.want {
			t.Errorf("questionText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// The engine gets the question without the chat around it.
func TestAskStripsChatAroundQuestion(t *testing.T) {
	f := newFixture(t, nil)
	for i, tc := range []struct{ in, want string }{
		{"Who fired Krebs? cc Anne", "Who fired Krebs?"},
		{"Wie heeft Krebs ontslagen? zie #general", "Wie heeft Krebs ontslagen?"},
		{"Wie heeft Krebs ontslagen (cc @anne, @bob)?", "Wie heeft Krebs ontslagen?"},
	} {
		f.send(t, dm(fmt.Sprintf("ev%d", i), tc.in))
		asked := f.lib.Asked()
		if len(asked) != i+1 || asked[i].Question != tc.want {
			t.Errorf("%q: the engine was asked %+v, want %q", tc.in, asked, tc.want)
		}
	}
}
