package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const (
	krebsID       = "004_496c433a0061d38d"
	krebsSentence = "De Amerikaanse president Donald Trump heeft Chris Krebs, de hoogste cyberveiligheidsfunctionaris van het land, ontslagen via Twitter."
	ratcliffeID   = "000_84c18d6e44010aaa"
	ratcliffeSent = "Iran zou e-mails gestuurd hebben om de kiezers te intimideren, om sociale spanningen te creëren en om de reputatie van president Donald Trump te schaden, zei het hoofd van de inlichtingendiensten John Ratcliffe tijdens een persconferentie."
)

// fakeLLM is an OpenAI-compatible Chat Completions server that answers
// each question with the model reply scripted for it (a JSON object as
// the model would write it), or {"answer": null} for the others.
func fakeLLM(t *testing.T, replies map[string]string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var req struct {
			Model    string `json:"model"`
			Messages []struct {
				Role, Content string
			} `json:"messages"`
		}
		if r.URL.Path != "/v1/chat/completions" || json.NewDecoder(r.Body).Decode(&req) != nil || len(req.Messages) != 2 {
			http.Error(w, `{"error":{"message":"bad request","type":"invalid_request_error"}}`, http.StatusBadRequest)
			return
		}
		var um struct{ Question string }
		_ = json.Unmarshal([]byte(req.Messages[1].Content), &um)
		content, ok := replies[um.Question]
		if !ok {
			content = `{"answer": null, "quote": null, "article": null}`
		}
		body, _ := json.Marshal(map[string]any{
			"id": "chatcmpl-fake", "object": "chat.completion", "created": 1700000000, "model": req.Model,
			"choices": []map[string]any{{"index": 0, "message": map[string]any{"role": "assistant", "content": content, "refusal": nil},
				"logprobs": nil, "finish_reason": "stop"}},
			"usage": map[string]any{"prompt_tokens": 500, "completion_tokens": 30, "total_tokens": 530},
		})
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func modelReply(answer, quote, article string) string {
	b, _ := json.Marshal(map[string]string{"answer": answer, "quote": quote, "article": article})
	return string(b)
}

// llmConfig writes a configuration that chooses the language model at
// base (…/v1).
func llmConfig(t *testing.T, base string, timeout time.Duration) string {
	t.Helper()
	return writeFile(t, t.TempDir(), "briefbot.yaml", fmt.Sprintf(
		"answer: {reader: llm}\nllm: {base_url: %q, model: fake-model, api_key: sk-test, timeout: %s}\n", base, timeout))
}

// ask --format json with the language model: the model's verified answer,
// with "reader": "llm"; --reader builtin overrides the configuration.
func TestAskLLMReader(t *testing.T) {
	srv, calls := fakeLLM(t, map[string]string{"Who fired Krebs?": modelReply("Trump", krebsSentence, krebsID)})
	cfg := llmConfig(t, srv.URL+"/v1", 5*time.Second)
	type answer struct {
		Answer    string `json:"answer"`
		Answered  bool   `json:"answered"`
		Reader    string `json:"reader"`
		Citations []struct {
			Article, Quote string
		} `json:"citations"`
	}
	for _, tt := range []struct {
		args   []string
		answer string
		reader string
	}{
		{[]string{"--config", cfg}, "Trump", "llm"},
		{[]string{"--config", cfg, "--reader", "builtin"}, "Donald Trump", "builtin"},
		{nil, "Donald Trump", "builtin"},
	} {
		code, out, errs := runCLI(t, append([]string{"ask", "--format", "json", "Who fired Krebs?"}, tt.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tt.args, code, errs)
		}
		var a answer
		if err := json.Unmarshal([]byte(out), &a); err != nil {
			t.Fatalf("%v: %v\n%s", tt.args, err, out)
		}
		if a.Answer != tt.answer || a.Reader != tt.reader || !a.Answered || len(a.Citations) != 1 ||
			a.Citations[0].Article != krebsID || a.Citations[0].Quote != krebsSentence {
			t.Errorf("%v: %+v; want %q by %s, citing the sentence", tt.args, a, tt.answer, tt.reader)
		}
	}
	if calls.Load() != 1 {
		t.Errorf("%d requests to the model, want 1", calls.Load())
	}
	code, out, errs := runCLI(t, "ask", "--config", cfg, "Who fired Krebs?")
	if code != 0 || !strings.HasPrefix(out, "Trump\n") || !strings.Contains(out, "(answer by a language model; the quote was checked against the article)") {
		t.Errorf("text: exit %d, %q (%s); want the answer and a note on the reader", code, out, errs)
	}
}

// With the model unreachable, ask answers with the built-in reader.
func TestAskLLMUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + l.Addr().String() + "/v1"
	l.Close()
	code, out, errs := runCLI(t, "ask", "--config", llmConfig(t, base, 300*time.Millisecond), "--format", "json", "Who fired Krebs?")
	if code != 0 || !strings.Contains(out, `"answer": "Donald Trump"`) || !strings.Contains(out, `"reader": "builtin"`) {
		t.Errorf("exit %d, %s (%s); want the built-in answer", code, out, errs)
	}
}

// --reader must be builtin or llm, and llm needs the llm section.
func TestReaderFlagErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"ask", "--reader", "gpt", "Who?"}, `--reader "gpt": use builtin or llm`},
		{[]string{"ask", "--reader", "llm", "--config", writeFile(t, t.TempDir(), "c.yaml", "console: true\n"), "Who fired Krebs?"}, "llm.base_url: is empty"},
		{[]string{"eval", "--reader", "llm", "--config", writeFile(t, t.TempDir(), "c.yaml", "llm: {base_url: x}\n"), "../../briefings/testdata/eval/seed-dev.yaml"}, "llm.base_url"},
	} {
		code, _, errs := runCLI(t, tt.args...)
		if code != 2 || !strings.Contains(errs, tt.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tt.args, code, errs, tt.want)
		}
	}
}

// eval --reader llm on the shared development set with a fake model: one
// answer verified and shown, two rejected (a hallucinated quote, an answer
// its quote does not support) and the built-in reader's answers instead;
// the report says which reader gave each reply.
func TestEvalLLMReader(t *testing.T) {
	set, articles := filepath.Join("..", "..", "..", "shared", "eval", "seed-dev.yaml"), filepath.Join("..", "..", "..", "shared", "articles")
	if _, err := os.Stat(set); err != nil {
		set, articles = filepath.Join("..", "..", "briefings", "testdata", "eval", "seed-dev.yaml"), ""
	}
	srv, _ := fakeLLM(t, map[string]string{
		"Who fired Krebs?":                              modelReply("Trump", krebsSentence, krebsID),
		"Wie heeft Krebs ontslagen?":                    modelReply("Donald Trump", "Trump ontsloeg Krebs via Twitter omdat die de fraude ontkende.", krebsID),
		"Who heads the American intelligence services?": modelReply("Joe Biden", ratcliffeSent, ratcliffeID),
	})
	cfg := llmConfig(t, srv.URL+"/v1", 5*time.Second)
	var dir []string
	if articles != "" {
		dir = []string{"--articles", articles}
	}
	args := append([]string{"eval", set, "--config", cfg, "--reader", "llm", "-v"}, dir...)
	// the built-in reader's own figures: the model's one answer is right
	// where the built-in reader's is, so accuracy stays
	code, out, errs := runCLI(t, append([]string{"eval", set, "--format", "json"}, dir...)...)
	var builtin struct{ Correct, Items int }
	if code != 0 || json.Unmarshal([]byte(out), &builtin) != nil || builtin.Items != 12 {
		t.Fatalf("built-in eval: exit %d, %s (%s)", code, out, errs)
	}
	code, out, errs = runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, w := range []string{
		`ok   d01    who        "Who fired Krebs?" -> Trump [`, `] 004_496c433a0061d38d.txt (llm)`,
		`"Wie heeft Krebs ontslagen?" -> Donald Trump`, "(builtin)",
		fmt.Sprintf("accuracy %d/12 = ", builtin.Correct),
		"reader llm: 1 replies from the language model, 11 from the built-in reader",
		// d12 retrieves nothing: the model is not asked
		"accepted  1", "abstained 8", "rejected  2 (quote_not_found 1, unsupported_answer 1)", "failed    1 (no_passages 1)",
		"11 requests (0 failed), 5500 prompt + 330 completion tokens",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("eval output lacks %q:\n%s", w, out)
		}
	}
	code, out, errs = runCLI(t, append(args, "--format", "json")...)
	if code != 0 {
		t.Fatalf("json: exit %d: %s", code, errs)
	}
	var rep struct {
		Correct  int            `json:"correct"`
		ByReader map[string]int `json:"replies_by_reader"`
		Readers  []string       `json:"readers"`
		LLM      struct {
			Rejections map[string]int
		} `json:"llm"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if rep.Correct != builtin.Correct || rep.ByReader["llm"] != 1 || rep.ByReader["builtin"] != 11 || len(rep.Readers) != 12 || rep.LLM.Rejections["quote_not_found"] != 1 {
		t.Errorf("json report %+v", rep)
	}
}

// briefbot serve with the language model: the console shows the model's
// verified answer with the footer; an unreachable model, the built-in one.
func TestServeLLMReader(t *testing.T) {
	bin := briefbotBinary(t)
	srv, _ := fakeLLM(t, map[string]string{"Who fired Krebs?": modelReply("Trump", krebsSentence, krebsID)})
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	unreachable := "http://" + closed.Addr().String() + "/v1"
	closed.Close()
	for _, tt := range []struct {
		base string
		want []string
		not  string
	}{
		{srv.URL + "/v1", []string{"Trump\n", "(Answer by a language model; the quote was checked against the article.)"}, "Donald Trump\n"},
		{unreachable, []string{"Donald Trump\n", krebsSentence}, "language model"},
	} {
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(cleanEnv(t), "BRIEFBOT_DATA="+t.TempDir(), "BRIEFBOT_ANSWER_READER=llm",
			"BRIEFBOT_LLM_BASE_URL="+tt.base, "BRIEFBOT_LLM_MODEL=fake-model", "BRIEFBOT_LLM_TIMEOUT=2s")
		cmd.Stdin = strings.NewReader("Who fired Krebs?\n")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("briefbot serve: %v\n%s", err, stderr.String())
		}
		for _, w := range tt.want {
			if !strings.Contains(stdout.String(), w) {
				t.Errorf("%s: stdout lacks %q:\n%s", tt.base, w, stdout.String())
			}
		}
		if strings.Contains(stdout.String(), tt.not) {
			t.Errorf("%s: stdout has %q:\n%s", tt.base, tt.not, stdout.String())
		}
	}
}
