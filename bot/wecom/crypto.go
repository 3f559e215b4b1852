package wecom

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/silenceper/wechat/v2/util"
)

// Errors of Crypto. The handler answers ErrSignature and ErrReceiveID with
// 401 and ErrMalformed with 400.
var (
	ErrSignature = errors.New("wecom: signature mismatch")
	ErrReceiveID = errors.New("wecom: receiveid mismatch")
	ErrMalformed = errors.New("wecom: malformed ciphertext")
)

// blockSize is WeCom's PKCS#7 block: 32 bytes, not AES's 16 (the official
// message vector carries 30 bytes of padding).
const blockSize = 32

// Crypto is WeCom's callback encryption (WXBizMsgCrypt) for one robot. It
// exists because silenceper/wechat's DecryptMsg rejects the empty receiveid
// that group robots and AI bots use. It is safe for concurrent use.
type Crypto struct {
	token     string
	aesKey    string // the 43-character EncodingAESKey, as util.EncryptMsg wants it
	key       []byte // its 32 decoded bytes
	receiveID string
}

// NewCrypto checks encodingAESKey (43 characters of base64, 32 bytes) and
// returns the crypto for token. receiveID is "" for robots and AI bots, the
// CorpID for a self-built app.
func NewCrypto(token, encodingAESKey, receiveID string) (*Crypto, error) {
	if token == "" {
		return nil, errors.New("wecom: empty token")
	}
	if len(encodingAESKey) != 43 {
		return nil, fmt.Errorf("wecom: encoding_aes_key has %d characters, want 43", len(encodingAESKey))
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, errors.New("wecom: encoding_aes_key is not base64 of 32 bytes")
	}
	return &Crypto{token: token, aesKey: encodingAESKey, key: key, receiveID: receiveID}, nil
}

// Signature is msg_signature: the SHA-1 hex of the sorted, concatenated
// token, timestamp, nonce and ciphertext.
func (c *Crypto) Signature(timestamp, nonce, encrypt string) string {
	return util.Signature(c.token, timestamp, nonce, encrypt)
}

// Verify reports, in constant time, whether signature signs the other three.
func (c *Crypto) Verify(signature, timestamp, nonce, encrypt string) bool {
	want := c.Signature(timestamp, nonce, encrypt)
	return len(signature) == len(want) &&
		subtle.ConstantTimeCompare([]byte(signature), []byte(want)) == 1
}

// Open verifies signature and then decrypts encrypt, returning the message.
// Nothing is decrypted unless the signature matches, so a forger learns
// nothing from padding errors.
func (c *Crypto) Open(signature, timestamp, nonce, encrypt string) ([]byte, error) {
	if !c.Verify(signature, timestamp, nonce, encrypt) {
		return nil, ErrSignature
	}
	return c.Decrypt(encrypt)
}

// Decrypt reverses Encrypt: base64, AES-256-CBC with IV = key[:16], strict
// PKCS#7 to 32 bytes, then random(16) ‖ big-endian uint32 length ‖ msg ‖
// receiveid, where receiveid must equal the one given to NewCrypto. It
// does not check any signature: use Open on untrusted input.
func (c *Crypto) Decrypt(encrypt string) ([]byte, error) {
	ct, err := base64.StdEncoding.DecodeString(encrypt)
	if err != nil {
		return nil, fmt.Errorf("%w: base64", ErrMalformed)
	}
	if len(ct) == 0 || len(ct)%blockSize != 0 {
		return nil, fmt.Errorf("%w: length %d", ErrMalformed, len(ct))
	}
	block, err := aes.NewCipher(c.key)
	if err != nil {
		return nil, err // cannot happen: the key has 32 bytes
	}
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, c.key[:aes.BlockSize]).CryptBlocks(pt, ct)

	pad := int(pt[len(pt)-1])
	if pad < 1 || pad > blockSize {
		return nil, fmt.Errorf("%w: padding", ErrMalformed)
	}
	for _, b := range pt[len(pt)-pad:] {
		if int(b) != pad {
			return nil, fmt.Errorf("%w: padding", ErrMalformed)
		}
	}
	pt = pt[:len(pt)-pad]
	if len(pt) < 20 {
		return nil, fmt.Errorf("%w: too short", ErrMalformed)
	}
	n := binary.BigEndian.Uint32(pt[16:20])
	if uint64(n) > uint64(len(pt)-20) {
		return nil, fmt.Errorf("%w: length field", ErrMalformed)
	}
	msg, rid := pt[20:20+n], pt[20+n:]
	if string(rid) != c.receiveID {
		return nil, ErrReceiveID
	}
	return msg, nil
}

// Encrypt encrypts msg with 16 fresh random bytes, for a passive reply.
func (c *Crypto) Encrypt(msg []byte) (string, error) {
	random := make([]byte, 16)
	if _, err := rand.Read(random); err != nil {
		return "", err
	}
	return c.encrypt(random, msg)
}

func (c *Crypto) encrypt(random, msg []byte) (string, error) {
	out, err := util.EncryptMsg(random, msg, c.receiveID, c.aesKey)
	if err != nil {
		return "", fmt.Errorf("wecom: encrypt: %w", err)
	}
	return string(out), nil
}
