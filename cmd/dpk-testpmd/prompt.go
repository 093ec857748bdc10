package main

import (
	"bufio"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// This file is testpmd's prompt (DPDK's cmdline_stdin_new and
// cmdline_interact): "testpmd> ", with line editing and history when
// stdin is a terminal, plain lines otherwise.

const promptText = "testpmd> "

// lineReader reads command lines.
type lineReader interface {
	readLine() (string, error)
	close()
}

// termReader edits lines on a terminal in raw mode with x/term.
type termReader struct {
	t     *term.Terminal
	fd    int
	state *term.State
}

func (r *termReader) readLine() (string, error) { return r.t.ReadLine() }
func (r *termReader) close()                    { term.Restore(r.fd, r.state) }

// plainReader reads lines from a pipe or file, echoing each after the
// prompt as a terminal would show it (unless stdin is a terminal, which
// echoes by itself).
type plainReader struct {
	tp   *testpmd
	br   *bufio.Reader
	echo bool
}

func (r *plainReader) readLine() (string, error) {
	r.tp.printf("%s", promptText)
	line, err := r.br.ReadString('\n')
	if err != nil && line == "" {
		r.tp.printf("\n")
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if r.echo {
		r.tp.printf("%s\n", line)
	}
	return line, nil
}

func (r *plainReader) close() {}

// newLineReader picks the terminal reader when stdin and stdout are
// terminals, and routes all output through it so that it does not garble
// the line being edited.
func (tp *testpmd) newLineReader(stdout io.Writer) lineReader {
	in, ok1 := tp.in.(*os.File)
	out, ok2 := stdout.(*os.File)
	if ok1 && ok2 && term.IsTerminal(int(in.Fd())) && term.IsTerminal(int(out.Fd())) {
		fd := int(in.Fd())
		if st, err := term.MakeRaw(fd); err == nil {
			t := term.NewTerminal(struct {
				io.Reader
				io.Writer
			}{in, out}, promptText)
			if w, h, err := term.GetSize(int(out.Fd())); err == nil {
				t.SetSize(w, h)
			}
			tp.out.set(t)
			tp.errOut.set(t)
			return &termReader{t: t, fd: fd, state: st}
		}
	}
	return &plainReader{tp: tp, br: bufio.NewReader(tp.in), echo: !ok1 || !term.IsTerminal(int(in.Fd()))}
}

type lineResult struct {
	line string
	err  error
}

// prompt runs commands until quit, the end of input or a signal.
func (tp *testpmd) prompt(stdout, stderr io.Writer) {
	rd := tp.newLineReader(stdout)
	defer func() {
		rd.close()
		tp.out.set(stdout)
		tp.errOut.set(stderr)
	}()
	next := make(chan struct{})
	lines := make(chan lineResult, 1)
	go func() {
		for range next {
			l, err := rd.readLine()
			lines <- lineResult{l, err}
		}
	}()
	defer close(next)
	for {
		next <- struct{}{}
		select {
		case r := <-lines:
			if r.err != nil {
				return
			}
			if !tp.execute(r.line) {
				return
			}
		case <-tp.sig:
			return
		}
	}
}

// readCmdlineFile runs the commands of a file (cmdline_read_from_file); a
// quit in it ends the file, not the program.
func (tp *testpmd) readCmdlineFile(path string) {
	f, err := os.Open(path)
	if err != nil {
		tp.errorf("Failed to create file based cmdline context: %s\n", path)
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if !tp.execute(sc.Text()) {
			break
		}
	}
	tp.printf("Read CLI commands from %s\n", path)
}
