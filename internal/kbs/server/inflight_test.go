package server

import (
	"bufio"
	"io"
	"net/http"
	"testing"
	"time"
)

// TestInFlight: the count the store's writer reads to decide whether to
// batch more (store.Options.Pressure) includes a request while its handler
// runs and drops back to zero after every request, refused or served.
func TestInFlight(t *testing.T) {
	h := newHarness(t)
	h.setResourcePolicy("allow-all")
	h.mustAdmin(http.MethodPost, "/kbs/v0/resource/default/key/1", []byte("secret"))
	g := h.guest()
	g.handshake()
	if r := g.get("default/key/1", nil); r.status != http.StatusOK {
		t.Fatalf("resource: %d %s", r.status, r.body)
	}
	if r := g.get("default/key/%2e%2e", nil); r.status == http.StatusOK {
		t.Fatalf("bad path served")
	}
	if n := h.srv.InFlight(); n != 0 {
		t.Fatalf("after the requests: %d in flight, want 0", n)
	}

	// A request whose body has not arrived is in flight.
	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, h.ts.URL+"/kbs/v0/auth", pr)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for h.srv.InFlight() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("request with a pending body: %d in flight, want 1", h.srv.InFlight())
		}
		time.Sleep(time.Millisecond)
	}
	_, _ = pw.Write(authBody("sample"))
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for h.srv.InFlight() != 0 { // the handler returns before the client reads
		if time.Now().After(deadline) {
			t.Fatalf("after the auth request: %d in flight, want 0", h.srv.InFlight())
		}
		time.Sleep(time.Millisecond)
	}

	// An open audit stream waits for events: it is not in flight.
	req, err = http.NewRequest(http.MethodGet, h.ts.URL+"/kbs/v0/audit?follow=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+h.adminToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil { // the stream has begun
		t.Fatal(err)
	}
	if n := h.srv.InFlight(); n != 0 {
		t.Fatalf("with an audit stream open: %d in flight, want 0", n)
	}
}
