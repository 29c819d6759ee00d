package main

import (
	"context"
	"io"
	"log"
	"log/slog"
	"strings"
)

// newLogger returns the logger of the startup lines and of the server's request lines
// ("api=tenn method=POST status=200 duration=3ms"): as text, prefixed "tokenserver: " and the
// time; or as JSON, one object per line, where a request line's key=value pairs become fields.
func newLogger(w io.Writer, format string) *log.Logger {
	if format == "json" {
		return log.New(jsonLines{slog.New(slog.NewJSONHandler(w, nil))}, "", 0)
	}
	return log.New(w, "tokenserver: ", log.LstdFlags)
}

// jsonLines turns each line a log.Logger writes (one Write per line) into a slog record.
type jsonLines struct{ logger *slog.Logger }

func (j jsonLines) Write(p []byte) (int, error) {
	line := strings.TrimSuffix(string(p), "\n")
	if attrs, ok := keyValues(line); ok {
		j.logger.LogAttrs(context.Background(), slog.LevelInfo, "request", attrs...)
	} else {
		level := slog.LevelInfo
		if strings.HasPrefix(line, "WARNING: ") {
			line, level = strings.TrimPrefix(line, "WARNING: "), slog.LevelWarn
		}
		j.logger.LogAttrs(context.Background(), level, line)
	}
	return len(p), nil
}

// keyValues splits a line made only of key=value words, as the request lines are.
func keyValues(line string) ([]slog.Attr, bool) {
	words := strings.Fields(line)
	if len(words) == 0 {
		return nil, false
	}
	attrs := make([]slog.Attr, 0, len(words))
	for _, w := range words {
		k, v, ok := strings.Cut(w, "=")
		if !ok || k == "" {
			return nil, false
		}
		attrs = append(attrs, slog.String(k, v))
	}
	return attrs, true
}
