package main

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

func TestShedAnswersBeyondMaxInFlightAt503(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 8)
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
	})
	h := shed(slow, 2)
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/wecom/r1", nil))
		}()
	}
	<-entered
	<-entered
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/dingtalk/r1", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("third callback = %d, want 503 with Retry-After", rec.Code)
	}
	// The operator's endpoints are never shed.
	go h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))
	<-entered
	close(release)
	wg.Wait()
	rec = httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/wecom/r1", nil))
		close(done)
	}()
	<-entered
	<-done
	if rec.Code != http.StatusOK {
		t.Errorf("after the others finished = %d, want 200", rec.Code)
	}
}
