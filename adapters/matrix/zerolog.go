package matrix

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/rs/zerolog"
)

// zerologFor returns a zerolog.Logger (what mautrix logs with) that forwards
// mautrix's warnings and errors, and its info lines when log is enabled at
// debug, to log. Debug and trace lines (request bodies) are never forwarded.
func zerologFor(log *slog.Logger) zerolog.Logger {
	level := zerolog.WarnLevel
	if log.Enabled(context.Background(), slog.LevelDebug) {
		level = zerolog.InfoLevel
	}
	return zerolog.New(slogWriter{log: log.With("component", "mautrix")}).Level(level)
}

// slogWriter turns zerolog's JSON lines into slog records.
type slogWriter struct{ log *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	var fields map[string]any
	if err := json.Unmarshal(p, &fields); err != nil {
		w.log.Warn(string(p))
		return len(p), nil
	}
	msg, _ := fields[zerolog.MessageFieldName].(string)
	lvl, _ := fields[zerolog.LevelFieldName].(string)
	delete(fields, zerolog.MessageFieldName)
	delete(fields, zerolog.LevelFieldName)
	attrs := make([]any, 0, 2*len(fields))
	for k, v := range fields {
		attrs = append(attrs, k, v)
	}
	level := slog.LevelWarn
	switch {
	case msg == "Request failed" || msg == "Request canceled":
		// The adapter logs failed requests itself, with what it does next.
		level = slog.LevelDebug
	case lvl == "info":
		level = slog.LevelDebug // mautrix's info is our debug
	case lvl == "error" || lvl == "fatal" || lvl == "panic":
		level = slog.LevelError
	}
	w.log.Log(context.Background(), level, msg, attrs...)
	return len(p), nil
}
