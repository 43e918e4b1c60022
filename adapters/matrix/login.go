package matrix

import (
	"context"
	"errors"
	"fmt"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"
)

// login gives the client a working session. With an access token it checks
// the token with whoami. With a password it first tries the session stored
// by an earlier start (same device, so encryption keys stay valid) and logs
// in again only when that is missing or rejected; the new session is stored.
func (a *Adapter) login(ctx context.Context) error {
	if a.cfg.AccessToken != "" {
		a.cli.AccessToken = a.cfg.AccessToken
		who, err := a.whoami(ctx)
		if err != nil {
			return err
		}
		if who.UserID != a.user {
			return fmt.Errorf("matrix.access_token belongs to %s, not to matrix.user_id %s; use a token of the bot's account or correct user_id", who.UserID, a.user)
		}
		a.cli.DeviceID = who.DeviceID
		if a.cli.DeviceID == "" {
			a.cli.DeviceID = id.DeviceID(a.cfg.DeviceID)
		}
		if a.cli.DeviceID == "" && a.cfg.EncryptionEnabled() {
			return errors.New("matrix: the homeserver did not say which device the access token belongs to; set matrix.device_id (encryption keys are per device)")
		}
		a.log.Info("logged in with the configured access token", "user_id", string(a.user), "device_id", string(a.cli.DeviceID))
		return nil
	}

	token, err := getOptional(ctx, a.state, a.keys.accessToken())
	if err != nil {
		return err
	}
	device, err := getOptional(ctx, a.state, a.keys.deviceID())
	if err != nil {
		return err
	}
	if a.cfg.DeviceID != "" && device != "" && device != a.cfg.DeviceID {
		// matrix.device_id was changed: the stored session is another device.
		token = ""
	}
	if token != "" {
		a.cli.AccessToken, a.cli.DeviceID = token, id.DeviceID(device)
		who, err := a.whoami(ctx)
		switch {
		case err == nil && who.UserID == a.user:
			a.log.Info("resumed the stored Matrix session", "user_id", string(a.user), "device_id", device)
			return nil
		case err == nil:
			a.log.Warn("the stored Matrix session belongs to another user; logging in again", "stored_user_id", string(who.UserID))
		case errors.Is(err, mautrix.MUnknownToken):
			a.log.Info("the stored Matrix session was logged out; logging in again with the password", "device_id", device)
		default:
			return err
		}
		a.cli.AccessToken = ""
	}
	if a.cfg.DeviceID != "" {
		device = a.cfg.DeviceID
	}
	var resp *mautrix.RespLogin
	err = a.retry(ctx, "log in", func() error {
		var err error
		resp, err = a.cli.Login(ctx, &mautrix.ReqLogin{
			Type:                     mautrix.AuthTypePassword,
			Identifier:               mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: string(a.user)},
			Password:                 a.cfg.Password,
			DeviceID:                 id.DeviceID(device),
			InitialDeviceDisplayName: "briefbot",
			StoreCredentials:         true,
		})
		return err
	})
	if err != nil {
		if errors.Is(err, mautrix.MForbidden) {
			return fmt.Errorf("the homeserver refused the password for %s; check matrix.password and matrix.user_id: %w", a.user, err)
		}
		return err
	}
	a.cli.UserID = a.user
	if err := a.state.SetValue(ctx, a.keys.accessToken(), resp.AccessToken); err != nil {
		return fmt.Errorf("matrix: store the new session (a restart would log in again as a new device): %w", err)
	}
	if err := a.state.SetValue(ctx, a.keys.deviceID(), string(resp.DeviceID)); err != nil {
		return fmt.Errorf("matrix: store the new session's device ID: %w", err)
	}
	a.log.Info("logged in with the password", "user_id", string(a.user), "device_id", string(resp.DeviceID))
	return nil
}

// whoami asks the homeserver who the access token belongs to, retrying
// transient failures.
func (a *Adapter) whoami(ctx context.Context) (*mautrix.RespWhoami, error) {
	var who *mautrix.RespWhoami
	err := a.retry(ctx, "check the access token", func() error {
		var err error
		who, err = a.cli.Whoami(ctx)
		return err
	})
	if err != nil {
		if errors.Is(err, mautrix.MUnknownToken) && a.cfg.AccessToken != "" {
			return nil, a.tokenError(err)
		}
		return nil, err
	}
	return who, nil
}
