package wecom

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
)

// maxXMLDepth bounds element nesting before encoding/xml sees a document:
// deep nesting has produced stack-exhaustion bugs in Go's XML decoder, and
// WeCom's documents are four levels deep.
const maxXMLDepth = 16

var errDirective = errors.New("xml directive not allowed")

// decodeXML unmarshals data into v after a first pass that rejects
// directives (<!DOCTYPE, <!ENTITY: nothing WeCom sends has them) and deep
// nesting. Go's decoder expands no custom entities, but we refuse such
// documents outright rather than rely on that.
func decodeXML(data []byte, v any) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.Directive:
			return errDirective
		case xml.StartElement:
			depth++
			if depth > maxXMLDepth {
				return errors.New("xml nested too deep")
			}
		case xml.EndElement:
			depth--
		}
	}
	return xml.Unmarshal(data, v)
}

// hasDoctype reports whether an outer callback body holds a DOCTYPE
// anywhere, even inside CDATA: the envelope only ever carries base64.
func hasDoctype(body []byte) bool {
	return bytes.Contains(bytes.ToUpper(body), []byte("<!DOCTYPE"))
}

// xmlEnvelope is the outer body of a group-robot callback.
type xmlEnvelope struct {
	XMLName xml.Name `xml:"xml"`
	Encrypt string   `xml:"Encrypt"`
}

// jsonEnvelope is the outer body of an AI-bot callback.
type jsonEnvelope struct {
	Encrypt string `json:"encrypt"`
}

// encryptedFrom extracts the ciphertext from an outer body.
func encryptedFrom(body []byte, xmlBody bool) (string, error) {
	var enc string
	if xmlBody {
		if hasDoctype(body) {
			return "", errDirective
		}
		var env xmlEnvelope
		if err := decodeXML(body, &env); err != nil {
			return "", err
		}
		enc = env.Encrypt
	} else {
		var env jsonEnvelope
		if err := json.Unmarshal(body, &env); err != nil {
			return "", err
		}
		enc = env.Encrypt
	}
	enc = strings.TrimSpace(enc)
	if enc == "" {
		return "", errors.New("no encrypt field")
	}
	return enc, nil
}

// aibotMessage is the decrypted JSON of an AI-bot callback (docs 100719,
// 101027). Fields we do not use (quote, image, file, aibotid) are left out.
type aibotMessage struct {
	MsgID       string  `json:"msgid"`
	ChatID      string  `json:"chatid"`
	ChatType    string  `json:"chattype"`
	ResponseURL string  `json:"response_url"`
	MsgType     string  `json:"msgtype"`
	CreateTime  flexInt `json:"create_time"`
	From        struct {
		UserID string `json:"userid"`
	} `json:"from"`
	Text struct {
		Content string `json:"content"`
	} `json:"text"`
	Voice struct {
		Content string `json:"content"` // WeCom has already turned speech into text
	} `json:"voice"`
	Mixed  json.RawMessage `json:"mixed"`
	Stream struct {
		ID string `json:"id"`
	} `json:"stream"`
	Event struct {
		EventType string `json:"eventtype"`
		// A card tap: the official plugin reads it nested; the older SDK
		// type has the key and task directly under event.
		TemplateCardEvent struct {
			EventKey string `json:"event_key"`
			TaskID   string `json:"task_id"`
		} `json:"template_card_event"`
		EventKey string `json:"event_key"`
		TaskID   string `json:"task_id"`
	} `json:"event"`
}

type aibotMixed struct {
	Items []struct {
		MsgType string `json:"msgtype"`
		Text    struct {
			Content string `json:"content"`
		} `json:"text"`
	} `json:"msg_item"`
}

// mixedText joins the text items of a mixed message. Third-party code
// reports that mixed sometimes arrives as a JSON string holding the
// object, so both forms are read.
func mixedText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = json.RawMessage(s)
	}
	var m aibotMixed
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	var parts []string
	for _, it := range m.Items {
		if it.MsgType == "text" && it.Text.Content != "" {
			parts = append(parts, it.Text.Content)
		}
	}
	return strings.Join(parts, "\n")
}

// flexInt reads a JSON number or a numeric string; anything else is 0. It
// is used for timestamps we can do without, so that an unexpected form does
// not cost a message.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*f = flexInt(n)
	}
	return nil
}

// groupMessage is the decrypted XML of a group-robot callback (doc 99399).
type groupMessage struct {
	XMLName    xml.Name `xml:"xml"`
	WebhookURL string   `xml:"WebhookUrl"`
	MsgID      string   `xml:"MsgId"`
	ChatID     string   `xml:"ChatId"`
	ChatType   string   `xml:"ChatType"`
	MsgType    string   `xml:"MsgType"`
	From       struct {
		UserID string `xml:"UserId"`
		Name   string `xml:"Name"`
	} `xml:"From"`
	Text struct {
		Content string `xml:"Content"`
	} `xml:"Text"`
	Mixed struct {
		Items []struct {
			MsgType string `xml:"MsgType"`
			Text    struct {
				Content string `xml:"Content"`
			} `xml:"Text"`
		} `xml:"MsgItem"`
	} `xml:"MixedMessage"`
	Event struct {
		EventType string `xml:"EventType"`
	} `xml:"Event"`
}

func (g *groupMessage) text() string {
	switch g.MsgType {
	case "text":
		return g.Text.Content
	case "mixed":
		var parts []string
		for _, it := range g.Mixed.Items {
			if it.MsgType == "text" && it.Text.Content != "" {
				parts = append(parts, it.Text.Content)
			}
		}
		return strings.Join(parts, "\n")
	}
	return ""
}

// Passive replies.

type streamReply struct {
	MsgType string `json:"msgtype"`
	Stream  struct {
		ID      string `json:"id"`
		Finish  bool   `json:"finish"`
		Content string `json:"content"`
	} `json:"stream"`
}

type jsonReplyEnvelope struct {
	Encrypt      string `json:"encrypt"`
	MsgSignature string `json:"msgsignature"`
	Timestamp    string `json:"timestamp"`
	Nonce        string `json:"nonce"`
}

type cdata struct {
	Text string `xml:",cdata"`
}

type groupReply struct {
	XMLName xml.Name `xml:"xml"`
	MsgType string   `xml:"MsgType"`
	Text    *struct {
		Content       cdata `xml:"Content"`
		MentionedList *struct {
			Items []cdata `xml:"Item"`
		} `xml:"MentionedList,omitempty"`
	} `xml:"Text,omitempty"`
	Markdown *struct {
		Content cdata `xml:"Content"`
	} `xml:"Markdown,omitempty"`
}

type xmlReplyEnvelope struct {
	XMLName      xml.Name `xml:"xml"`
	Encrypt      cdata    `xml:"Encrypt"`
	MsgSignature cdata    `xml:"MsgSignature"`
	TimeStamp    string   `xml:"TimeStamp"`
	Nonce        cdata    `xml:"Nonce"`
}

// xmlText drops the runes XML 1.0 cannot carry at all (most control
// characters), which would make WeCom reject the whole reply.
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r <= 0xDFFF:
			return -1
		}
		return r
	}, s)
}
