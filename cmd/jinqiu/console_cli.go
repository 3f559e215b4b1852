package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"jinqiu"
	"slices"
	"strings"

	"jinqiu/config"
	"jinqiu/handlers"
)

// runConsoleLink prints a one-time link to the web console for a bureau
// admin or a secretary: what 后台 sends in a single chat, for an operator
// on the server (a first look, or a platform that is down).
func runConsoleLink(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("console-link", stderr)
	platform := fs.String("platform", "", "the person's platform: "+platformNames(" or "))
	uid := fs.String("user", "", "the person's user id on that platform, exactly as it sends it")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *uid == "" || *platform == "" {
		return usageError("usage: " + synopsis("console-link"))
	}
	id, err := config.ParseIdentity(*platform+":"+*uid, registry().Names())
	if err != nil {
		return usageError("--platform and --user: " + err.Error())
	}
	a, err := openQuiet(ctx, *path, stderr)
	if err != nil {
		return err
	}
	defer a.close()
	if a.cfg.Console.BaseURL == "" {
		return errors.New("console.base_url is not set: the console is off")
	}
	who := jinqiu.Identity{Platform: id.Platform, UserID: id.UserID}
	secOf, err := a.db.SecretaryOf(ctx, who)
	if err != nil {
		return err
	}
	if !slices.Contains(config.Identities(a.cfg.Bureau.Admins), who) && len(secOf) == 0 {
		return fmt.Errorf("%s is neither a bureau admin nor a secretary: the console would refuse them", who)
	}
	token, err := a.db.NewConsoleLink(ctx, who, "", jinqiu.ConsoleLinkTTL)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s%s%s\nvalid %s, once; open it and press the button\n",
		strings.TrimSuffix(a.cfg.Console.BaseURL, "/"), handlers.ConsoleLoginPath, token, jinqiu.ConsoleLinkTTL)
	return nil
}
