// Command talos-validate checks the Talos machine configs the program generates with Talos's
// own code (github.com/siderolabs/talos/pkg/machinery at the pinned Talos release): for each
// pool it renders what `talosctl gen config --config-patch` renders (a generated secrets
// bundle, the version contract of the pinned release, the program's patch), loads the result
// with Talos's config loader, and runs its Validate in cloud mode, as a Hetzner node would.
//
// Input (stdin): a JSON list of {name, role, clusterName, endpoint, talosVersion,
// kubernetesVersion, patch}. Output (stdout): a JSON list of {name, warnings, error, bytes,
// baseBytes}: bytes is the size of the patched config as `talosctl gen config --with-docs=false
// --with-examples=false` writes it (what a node given it as user data receives), baseBytes the
// size of the generated config before the patch. Exit status 1 when any config is invalid.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/siderolabs/talos/pkg/machinery/config"
	"github.com/siderolabs/talos/pkg/machinery/config/configloader"
	"github.com/siderolabs/talos/pkg/machinery/config/configpatcher"
	"github.com/siderolabs/talos/pkg/machinery/config/encoder"
	"github.com/siderolabs/talos/pkg/machinery/config/generate"
	"github.com/siderolabs/talos/pkg/machinery/config/generate/secrets"
	"github.com/siderolabs/talos/pkg/machinery/config/machine"
)

// cloudMode is Talos's "cloud" runtime mode (internal/app/machined/pkg/runtime mode.go): no
// install step is validated as on metal, and not in a container.
type cloudMode struct{}

func (cloudMode) String() string        { return "cloud" }
func (cloudMode) RequiresInstall() bool { return false }
func (cloudMode) InContainer() bool     { return false }

type request struct {
	Name              string          `json:"name"`
	Role              string          `json:"role"`
	ClusterName       string          `json:"clusterName"`
	Endpoint          string          `json:"endpoint"`
	TalosVersion      string          `json:"talosVersion"`
	KubernetesVersion string          `json:"kubernetesVersion"`
	Patch             json.RawMessage `json:"patch"`
}

type result struct {
	Name      string   `json:"name"`
	Warnings  []string `json:"warnings"`
	Error     string   `json:"error,omitempty"`
	Bytes     int      `json:"bytes"`
	BaseBytes int      `json:"baseBytes"`
}

type sizes struct{ bytes, base int }

func validate(r request) ([]string, sizes, error) {
	var size sizes
	contract, err := config.ParseContractFromVersion(r.TalosVersion)
	if err != nil {
		return nil, size, fmt.Errorf("talos version %q: %w", r.TalosVersion, err)
	}
	bundle, err := secrets.NewBundle(secrets.NewClock(), contract)
	if err != nil {
		return nil, size, err
	}
	// The options `talosctl gen config` passes with its flag defaults (cmd/talosctl/cmd/mgmt/gen
	// config.go: --install-disk /dev/sda, --dns-domain cluster.local, --with-cluster-discovery,
	// no --additional-sans; the version without its "v"), so the sizes are those of its output.
	in, err := generate.NewInput(r.ClusterName, r.Endpoint, strings.TrimPrefix(r.KubernetesVersion, "v"),
		generate.WithVersionContract(contract), generate.WithSecretsBundle(bundle),
		generate.WithInstallDisk("/dev/sda"), generate.WithDNSDomain("cluster.local"),
		generate.WithClusterDiscovery(true), generate.WithAdditionalSubjectAltNames([]string{}))
	if err != nil {
		return nil, size, fmt.Errorf("generate input: %w", err)
	}
	t := machine.TypeWorker
	if r.Role == "controlplane" {
		t = machine.TypeControlPlane
	}
	base, err := in.Config(t)
	if err != nil {
		return nil, size, fmt.Errorf("generate %s config: %w", r.Role, err)
	}
	// --with-docs=false --with-examples=false: bundle.Serialize encodes with these comment flags.
	baseBytes, err := base.EncodeBytes(encoder.WithComments(encoder.CommentsDisabled))
	if err != nil {
		return nil, size, err
	}
	size.base = len(baseBytes)
	patch, err := configpatcher.LoadPatch(r.Patch)
	if err != nil {
		return nil, size, fmt.Errorf("load patch: %w", err)
	}
	out, err := configpatcher.Apply(configpatcher.WithConfig(base), []configpatcher.Patch{patch})
	if err != nil {
		return nil, size, fmt.Errorf("apply patch: %w", err)
	}
	// A strategic-merge patch leaves a config, which Bytes encodes with comments disabled
	// (configpatcher apply.go), as bundle.Serialize does for talosctl.
	rendered, err := out.Bytes()
	if err != nil {
		return nil, size, err
	}
	size.bytes = len(rendered)
	cfg, err := configloader.NewFromBytes(rendered)
	if err != nil {
		return nil, size, fmt.Errorf("config loader: %w", err)
	}
	// As `talosctl validate --mode cloud` does (cmd/talosctl/cmd/talos/validate.go), not strict.
	warnings, err := cfg.Validate(cloudMode{})
	return warnings, size, err
}

func main() {
	var reqs []request
	if err := json.NewDecoder(os.Stdin).Decode(&reqs); err != nil {
		fmt.Fprintf(os.Stderr, "talos-validate: stdin: %v\n", err)
		os.Exit(2)
	}
	failed := false
	results := make([]result, 0, len(reqs))
	for _, r := range reqs {
		warnings, size, err := validate(r)
		res := result{Name: r.Name, Warnings: append([]string{}, warnings...), Bytes: size.bytes, BaseBytes: size.base}
		if err != nil {
			res.Error = err.Error()
			failed = true
		}
		results = append(results, res)
	}
	_ = json.NewEncoder(os.Stdout).Encode(results)
	if failed {
		os.Exit(1)
	}
}
