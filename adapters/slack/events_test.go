package slack

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
)

func TestMessageFromEvent(t *testing.T) {
	inThread := appMention("U0REPORTER", "<@"+testBotID+"|briefbot>: en de boeren?", "1764000000.000300")
	inThread["thread_ts"] = "1764000000.000100"
	dmWithMention := directMessage("U0REPORTER", "hoi <@"+testBotID+"> wat is PFAS?", "1764000000.000400")
	mentionInDM := appMention("U0REPORTER", "<@"+testBotID+"> wat is PFAS?", "1764000000.000400")
	mentionInDM["channel"] = "D0DIRECT1"
	fileShare := directMessage("U0REPORTER", "zie bijlage", "1764000000.000500")
	fileShare["subtype"] = "file_share"

	tests := []struct {
		name    string
		event   map[string]any
		want    bot.Message
		ignored bool
	}{
		{"mention starts a thread", appMention("U0REPORTER", "<@"+testBotID+"> wie won de verkiezingen?", "1764000000.000100"),
			bot.Message{Conversation: "C0POLITIEK", Thread: "1764000000.000100", User: "U0REPORTER", Text: "wie won de verkiezingen?", EventID: "Ev1", Mentioned: true}, false},
		{"mention in a thread replies there", inThread,
			bot.Message{Conversation: "C0POLITIEK", Thread: "1764000000.000100", User: "U0REPORTER", Text: "en de boeren?", EventID: "Ev1", Mentioned: true}, false},
		{"direct message", directMessage("U0REPORTER", "wat is stikstof?", "1764000000.000200"),
			bot.Message{Conversation: "D0DIRECT1", Thread: "1764000000.000200", User: "U0REPORTER", Text: "wat is stikstof?", EventID: "Ev1", Direct: true}, false},
		{"direct message with a mention", dmWithMention,
			bot.Message{Conversation: "D0DIRECT1", Thread: "1764000000.000400", User: "U0REPORTER", Text: "hoi wat is PFAS?", EventID: "Ev1", Direct: true, Mentioned: true}, false},
		{"mention in a direct conversation is direct, as its message.im twin", mentionInDM,
			bot.Message{Conversation: "D0DIRECT1", Thread: "1764000000.000400", User: "U0REPORTER", Text: "wat is PFAS?", EventID: "Ev1", Direct: true, Mentioned: true}, false},
		{"file share with text", fileShare,
			bot.Message{Conversation: "D0DIRECT1", Thread: "1764000000.000500", User: "U0REPORTER", Text: "zie bijlage", EventID: "Ev1", Direct: true}, false},
		{"own message", directMessage(testBotID, "antwoord", "1"), bot.Message{}, true},
		{"reaction event", map[string]any{"type": "reaction_added", "user": "U0REPORTER", "reaction": "thumbsup"}, bot.Message{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o outerEvent
			if err := json.Unmarshal(eventCallback("Ev1", tt.event), &o); err != nil {
				t.Fatal(err)
			}
			got, ts, ignored := messageFromEvent(o, testBotID)
			if (ignored != "") != tt.ignored {
				t.Fatalf("ignored = %q, want ignored %v", ignored, tt.ignored)
			}
			if want, _ := tt.event["ts"].(string); !tt.ignored && ts != want {
				t.Errorf("ts = %q, want the message's ts %q", ts, want)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("message (-got +want):\n%s", diff)
			}
		})
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<@" + testBotID + "> wat zei Rutte?", "wat zei Rutte?"},
		{"<@" + testBotID + ">: wat zei Rutte?", "wat zei Rutte?"},
		{"vraag van <@U0ANNE|anne> over <#C0POL|politiek>", "vraag van @anne over #politiek"},
		{"<!here> iemand?", "@here iemand?"},
		{"<!subteam^S0DESK|@eindredactie> kijk", "@eindredactie kijk"},
		{"zie <https://nos.nl/artikel/1|NOS> en <https://nu.nl>", "zie NOS en https://nu.nl"},
		{"R&amp;D &lt;5&gt;", "R&D <5>"},
		{"mail <mailto:tips@krant.nl|tips@krant.nl>", "mail tips@krant.nl"},
		// Other people and channels become words, never raw IDs.
		{"<@" + testBotID + "> who fired Krebs? cc <@U0123ABC>", "who fired Krebs? cc"},
		{"<@U0123ABC> <@" + testBotID + "> wie won?", "wie won?"},
		{"wie won? (see <#C0123ABC|general>)", "wie won? (see #general)"},
		{"wie won? (see <#C0123ABC|>)", "wie won? (see)"},
		{"wie won? (see <#C0123ABC>)", "wie won? (see)"},
		{"<!subteam^S0DESK> wie won?", "wie won?"},
		{"<!date^1392734382^{date_short}|18 feb 2014> wie won?", "18 feb 2014 wie won?"},
		{"<https://x.example/a?b=1&amp;c=2|het artikel> wie won?", "het artikel wie won?"},
		// Emoji codes are dropped; times and words with colons are not.
		{":wave: wie won? :+1::skin-tone-2:", "wie won?"},
		{"wie won om 10:30:00? :eyes:", "wie won om 10:30:00?"},
		{"wie zei nos:politiek:?", "wie zei nos:politiek:?"},
		{"a&amp;b &lt;c&gt; &amp;lt;", "a&b <c> &lt;"},
	}
	for _, tt := range tests {
		if got := plainText(tt.in, testBotID); got != tt.want {
			t.Errorf("plainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFeedbackFromInteraction(t *testing.T) {
	var in interaction
	payload := `{"type":"block_actions","user":{"id":"U0ANNE"},"container":{"channel_id":"C0POL"},"actions":[` +
		`{"action_id":"briefbot_feedback_up:r1","value":"r1"},` +
		`{"action_id":"briefbot_feedback_down","value":"r2"},` +
		`{"action_id":"someone_elses_button","value":"x"}]}`
	if err := json.Unmarshal([]byte(payload), &in); err != nil {
		t.Fatal(err)
	}
	got := feedbackFromInteraction(in)
	want := []feedbackJob{{ref: "r1", user: "U0ANNE", channel: "C0POL", helpful: true}, {ref: "r2", user: "U0ANNE", channel: "C0POL"}}
	if diff := cmp.Diff(got, want, cmp.AllowUnexported(feedbackJob{})); diff != "" {
		t.Errorf("feedback (-got +want):\n%s", diff)
	}
}
