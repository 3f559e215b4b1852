package state

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Store in Redis, shared by every replica.
type Redis struct {
	c      redis.UniversalClient
	prefix string
}

var _ Store = (*Redis)(nil)

// NewRedis connects to Redis at addr. Timeouts are short: these calls sit
// on the path of a callback that must be answered within seconds, and a
// black-holed Redis must not stall it.
func NewRedis(addr, password string, db int) *Redis {
	c := redis.NewClient(&redis.Options{
		Addr:         addr,
		Password:     password,
		DB:           db,
		DialTimeout:  300 * time.Millisecond,
		ReadTimeout:  200 * time.Millisecond,
		WriteTimeout: 200 * time.Millisecond,
		MaxRetries:   1,
		// go-redis dials 5 times, 100 ms apart, by default: 0.8 s per
		// command with MaxRetries 1 while Redis refuses connections.
		DialerRetries: 1,
		PoolSize:      32,
	})
	return &Redis{c: c, prefix: "jinqiu:"}
}

// WithPrefix returns a store whose keys carry another prefix (tests use it
// to stay apart).
func (r *Redis) WithPrefix(p string) *Redis { return &Redis{c: r.c, prefix: p} }

// Close closes the connections.
func (r *Redis) Close() error { return r.c.Close() }

// SetNX implements Store.
func (r *Redis) SetNX(ctx context.Context, key, value string, ttl time.Duration) (bool, error) {
	err := r.c.SetArgs(ctx, r.prefix+key, value, redis.SetArgs{Mode: "NX", TTL: ttl}).Err()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("redis setnx: %w", err)
	}
	return true, nil
}

// Get implements Store.
func (r *Redis) Get(ctx context.Context, key string) (string, bool, error) {
	v, err := r.c.Get(ctx, r.prefix+key).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("redis get: %w", err)
	}
	return v, true, nil
}

// Set implements Store.
func (r *Redis) Set(ctx context.Context, key, value string, ttl time.Duration) error {
	if err := r.c.Set(ctx, r.prefix+key, value, ttl).Err(); err != nil {
		return fmt.Errorf("redis set: %w", err)
	}
	return nil
}

// Delete implements Store.
func (r *Redis) Delete(ctx context.Context, key string) error {
	if err := r.c.Del(ctx, r.prefix+key).Err(); err != nil {
		return fmt.Errorf("redis del: %w", err)
	}
	return nil
}

// gcra is the same algorithm as Memory.Allow, atomically in Redis, on
// Redis's own clock so that replicas with skewed clocks share one budget.
var gcra = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
if tat > now then return tat - now end
redis.call('SET', KEYS[1], tat + interval, 'PX', math.ceil(interval / 1000) + 1000)
return 0
`)

// Allow implements Store.
func (r *Redis) Allow(ctx context.Context, key string, perMinute int) (bool, time.Duration, error) {
	if perMinute <= 0 {
		return false, time.Minute, nil
	}
	interval := int64(time.Minute/time.Microsecond) / int64(perMinute)
	wait, err := gcra.Run(ctx, r.c, []string{r.prefix + "rate:" + key}, interval).Int64()
	if err != nil {
		return false, 0, fmt.Errorf("redis allow: %w", err)
	}
	if wait > 0 {
		return false, time.Duration(wait) * time.Microsecond, nil
	}
	return true, 0, nil
}

// Ping implements Store.
func (r *Redis) Ping(ctx context.Context) error { return r.c.Ping(ctx).Err() }
