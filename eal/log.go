package eal

import (
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"strings"
	"sync"
)

// logger filters messages by component and level, as DPDK's rte_log with
// --log-level rules: the last matching rule wins, else the global level.
type logger struct {
	mu     sync.Mutex
	w      io.Writer
	global LogLevel
	rules  []LogRule
}

func newLogger(rules []LogRule) *logger {
	l := &logger{w: os.Stderr, global: LogNotice}
	for _, r := range rules {
		if r.Pattern == "" || r.Pattern == "*" {
			l.global = r.Level
			continue
		}
		l.rules = append(l.rules, r)
	}
	return l
}

func (l *logger) level(component string) LogLevel {
	lv := l.global
	for _, r := range l.rules {
		if r.Regexp {
			if re, err := regexp.Compile(r.Pattern); err == nil && re.MatchString(component) {
				lv = r.Level
			}
			continue
		}
		if ok, _ := path.Match(r.Pattern, component); ok || r.Pattern == component || strings.HasPrefix(component, r.Pattern+".") {
			lv = r.Level
		}
	}
	return lv
}

func (l *logger) logf(lv LogLevel, component, format string, args ...any) {
	if l == nil {
		l = defaultLogger
	}
	if lv > l.level(component) {
		return
	}
	msg := fmt.Sprintf(format, args...)
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "%s: %s\n", strings.ToUpper(lastPart(component)), msg)
}

func lastPart(c string) string {
	if i := strings.LastIndexByte(c, '.'); i >= 0 {
		return c[i+1:]
	}
	return c
}

var defaultLogger = newLogger(nil)

// Logf logs a message for a component ("lib.eal", "pmd.net.ring", "user1")
// at a level, if the --log-level rules let it through. Messages go to
// standard error as "COMPONENT: message", like DPDK's.
func Logf(level LogLevel, component, format string, args ...any) {
	st := state()
	if st == nil {
		defaultLogger.logf(level, component, format, args...)
		return
	}
	st.log.logf(level, component, format, args...)
}

// LogEnabled reports whether a message of that level and component would be logged.
func LogEnabled(level LogLevel, component string) bool {
	st := state()
	l := defaultLogger
	if st != nil {
		l = st.log
	}
	return level <= l.level(component)
}

// SetLogOutput redirects log messages (for tests); it returns the previous writer.
func SetLogOutput(w io.Writer) io.Writer {
	st := state()
	l := defaultLogger
	if st != nil {
		l = st.log
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.w
	l.w = w
	return old
}
