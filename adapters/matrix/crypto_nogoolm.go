//go:build !goolm

package matrix

import (
	"context"
	"errors"
)

// cryptoSupported: built without -tags goolm, so without end-to-end
// encryption (mautrix would otherwise need the C libolm). New refuses
// matrix.encryption in such a build.
const cryptoSupported = false

func (a *Adapter) initCrypto(context.Context) (encrypter, error) {
	return nil, errors.New("matrix: this briefbot was built without end-to-end encryption; rebuild with `go build -tags goolm`, or set matrix.encryption: false")
}
