package storage_test

import (
	"context"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

func TestConnLease(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Now()
		db.Now = func() time.Time { return now }
		hold := func(who string) bool {
			t.Helper()
			ok, err := db.HoldLease(ctx, "wecom:bot", who, 6*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !hold("a") {
			t.Fatal("a could not take a free lease")
		}
		if hold("b") {
			t.Fatal("b took a live lease from a")
		}
		now = now.Add(5 * time.Second)
		if !hold("a") {
			t.Fatal("a could not renew its own lease")
		}
		now = now.Add(5 * time.Second)
		if hold("b") {
			t.Fatal("b took a lease that a renewed")
		}
		now = now.Add(2 * time.Second)
		if !hold("b") {
			t.Fatal("b could not take a lapsed lease")
		}
		if hold("a") {
			t.Fatal("a got back a lease b now holds")
		}
		if err := db.ReleaseLease(ctx, "wecom:bot", "a"); err != nil {
			t.Fatal(err)
		}
		if hold("c") {
			t.Fatal("a released a lease it did not hold")
		}
		if err := db.ReleaseLease(ctx, "wecom:bot", "b"); err != nil {
			t.Fatal(err)
		}
		if !hold("c") {
			t.Fatal("c could not take a released lease")
		}
	})
}
