package telemetry

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
)

var registerEcho = sync.OnceValue(func() error {
	// /test/echo replies its command and parameters, to see the parsing.
	err1 := Register("/test/echo", "Echoes. Parameters: anything", func(cmd, params string, d *Data) error {
		d.StartDict()
		d.AddDictString("cmd", cmd)
		return d.AddDictString("params", params)
	})
	err2 := Register("/test/fail", "Fails", func(string, string, *Data) error { return errors.New("no") })
	err3 := Register("/test/panic", "Panics", func(string, string, *Data) error { panic("boom") })
	err4 := Register("/test/empty", "Leaves its data empty", func(string, string, *Data) error { return nil })
	return errors.Join(err1, err2, err3, err4)
})

func TestHandleParsing(t *testing.T) {
	if err := registerEcho(); err != nil {
		t.Fatal(err)
	}
	long := "/" + strings.Repeat("a", 70)
	for _, tc := range []struct {
		msg, want string
	}{
		{"/test/echo", `{"/test/echo":{"cmd":"/test/echo","params":""}}`},
		{"/test/echo,", `{"/test/echo":{"cmd":"/test/echo","params":""}}`},
		{"/test/echo,1", `{"/test/echo":{"cmd":"/test/echo","params":"1"}}`},
		{"/test/echo,a,b,,c", `{"/test/echo":{"cmd":"/test/echo","params":"a,b,,c"}}`},
		{",,/test/echo,x", `{"/test/echo":{"cmd":"/test/echo","params":"x"}}`},
		{"/test/echo,x\x00,y", `{"/test/echo":{"cmd":"/test/echo","params":"x"}}`},
		{"/test/echo, sp ", `{"/test/echo":{"cmd":"/test/echo","params":" sp "}}`},
		{"/test/echo ", `{"/test/echo ":null}`},
		{"/test/fail", `{"/test/fail":null}`},
		{"/test/panic,1", `{"/test/panic":null}`},
		{"/test/empty", `{"/test/empty":null}`},
		{"/nope", `{"/nope":null}`},
		{"nope", `{"nope":null}`},
		{`/a"b\c`, `{"/a\"b\\c":null}`},
		{"/\xff", `{"/` + "\ufffd" + `":null}`},
		{",,,", `{"(null)":null}`},
		{"\x00/test/echo", `{"(null)":null}`},
		{long, `{"` + long[:MaxCmdLen] + `":null}`},
		{"/help", `{"/help":"Returns help text for a command. Parameters: string command"}`},
		{"/help,/info", `{"/help":{"/info":"Returns DPDK Telemetry information. Takes no parameters"}}`},
		{"/help,/nope", `{"/help":null}`},
		{"/help,bad name", `{"/help":null}`},
		{"/info", fmt.Sprintf(`{"/info":{"version":%q,"pid":%d,"max_output_len":16384}}`, Version, os.Getpid())},
		{"/info,ignored", fmt.Sprintf(`{"/info":{"version":%q,"pid":%d,"max_output_len":16384}}`, Version, os.Getpid())},
	} {
		got := string(Handle([]byte(tc.msg)))
		if got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.msg, got, tc.want)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("%q: invalid JSON %s", tc.msg, got)
		}
	}
}

// A message is cut at MaxMsgLen bytes, as the socket reads it.
func TestHandleLongMessage(t *testing.T) {
	if err := registerEcho(); err != nil {
		t.Fatal(err)
	}
	msg := "/test/echo," + strings.Repeat("p", 3000)
	var r map[string]map[string]string
	if err := json.Unmarshal(Handle([]byte(msg)), &r); err != nil {
		t.Fatal(err)
	}
	// The echo's value is limited to MaxStringLen-1 bytes by the Data.
	if p := r["/test/echo"]["params"]; p != strings.Repeat("p", MaxStringLen-1) {
		t.Errorf("params %d bytes", len(p))
	}
}

func TestListAndHelp(t *testing.T) {
	if err := registerEcho(); err != nil {
		t.Fatal(err)
	}
	var r map[string][]string
	if err := json.Unmarshal(Handle([]byte("/")), &r); err != nil {
		t.Fatal(err)
	}
	list := r["/"]
	want := []string{"/", "/eal/app_params", "/eal/params", "/help", "/info"}
	for _, w := range want {
		found := false
		for _, c := range list {
			found = found || c == w
		}
		if !found {
			t.Errorf("%s missing from %v", w, list)
		}
	}
	for i := 1; i < len(list); i++ {
		if list[i-1] >= list[i] {
			t.Errorf("list not sorted: %v", list)
		}
	}
	// Every command has help.
	for _, c := range list {
		var h map[string]map[string]string
		if err := json.Unmarshal(Handle([]byte("/help,"+c)), &h); err != nil || h["/help"][c] == "" {
			t.Errorf("/help,%s: %v %v", c, h, err)
		}
	}
}

func TestRegister(t *testing.T) {
	ok := func(string, string, *Data) error { return nil }
	for _, tc := range []struct {
		cmd, help string
		fn        Handler
	}{
		{"", "", ok},
		{"noslash", "", ok},
		{"/bad-char", "", ok},
		{"/bad char", "", ok},
		{"/" + strings.Repeat("a", MaxCmdLen-1), "", ok},
		{"/test/nilfn", "", nil},
		{"/test/longhelp", strings.Repeat("h", MaxStringLen), ok},
	} {
		if err := Register(tc.cmd, tc.help, tc.fn); !errors.Is(err, ErrInvalid) {
			t.Errorf("Register(%q, %d bytes of help): %v", tc.cmd, len(tc.help), err)
		}
	}
	if err := Register("/info", "again", ok); !errors.Is(err, ErrExist) {
		t.Errorf("duplicate: %v", err)
	}
	name := "/test/" + strings.Repeat("b", MaxCmdLen-7) // MaxCmdLen-1 bytes
	if err := Register(name, strings.Repeat("h", MaxStringLen-1), ok); err != nil && !errors.Is(err, ErrExist) {
		t.Errorf("longest name: %v", err)
	}
}
