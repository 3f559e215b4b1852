package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"jinqiu"
	"os/user"

	"jinqiu/config"
	"jinqiu/storage"
)

// runGrant lets the bureau make someone a branch secretary (or withdraw
// it) without editing the configuration; roles from the configuration
// stay the configuration's.
func runGrant(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("grant", stderr)
	branch := fs.String("branch", "", "the branch id (as configured)")
	platform := fs.String("platform", "", "the person's platform: "+platformNames(" or "))
	uid := fs.String("user", "", "the person's user id on that platform, exactly as it sends it")
	revoke := fs.Bool("revoke", false, "withdraw a role granted earlier")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *branch == "" || *uid == "" || *platform == "" {
		return usageError("usage: " + synopsis("grant"))
	}
	id, err := config.ParseIdentity(*platform+":"+*uid, registry().Names())
	if err != nil {
		return usageError("--platform and --user: " + err.Error())
	}
	who := jinqiu.Identity{Platform: id.Platform, UserID: id.UserID}
	a, err := openQuiet(ctx, *path, stderr)
	if err != nil {
		return err
	}
	defer a.close()
	operator := "operator"
	if u, err := user.Current(); err == nil {
		operator = u.Username
	}
	actor := jinqiu.Actor{Platform: "cli", UserID: operator}
	if *revoke {
		err := a.db.RevokeSecretary(ctx, actor, *branch, who)
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("%s has no granted secretary role in %s (roles from config.yaml are changed there)", who, *branch)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is no longer a secretary of %s\n", who, *branch)
		return nil
	}
	err = a.db.GrantSecretary(ctx, actor, *branch, who)
	if errors.Is(err, storage.ErrNotFound) {
		if berr := knownBranch(ctx, a.db, *branch); berr != nil {
			return berr
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s is now a secretary of %s\n", who, *branch)
	return nil
}
