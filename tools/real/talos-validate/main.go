// Command talos-validate checks the Talos machine configs the program generates with Talos's
// own code (github.com/siderolabs/talos/pkg/machinery at the pinned Talos release): for each
// pool it renders what `talosctl gen config --config-patch` renders (a generated secrets
// bundle, the version contract of the pinned release, the program's patch), loads the result
// with Talos's config loader, and runs its Validate in cloud mode, as a Hetzner node would.
//
// Input (stdin): a JSON list of {name, role, clusterName, endpoint, talosVersion,
// kubernetesVersion, patch}. Output (stdout): a JSON list of {name, warnings, error}.
// Exit status 1 when any config is invalid.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/siderolabs/talos/pkg/machinery/config"
	"github.com/siderolabs/talos/pkg/machinery/config/configloader"
	"github.com/siderolabs/talos/pkg/machinery/config/configpatcher"
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
	Name     string   `json:"name"`
	Warnings []string `json:"warnings"`
	Error    string   `json:"error,omitempty"`
}

func validate(r request) ([]string, error) {
	contract, err := config.ParseContractFromVersion(r.TalosVersion)
	if err != nil {
		return nil, fmt.Errorf("talos version %q: %w", r.TalosVersion, err)
	}
	bundle, err := secrets.NewBundle(secrets.NewClock(), contract)
	if err != nil {
		return nil, err
	}
	in, err := generate.NewInput(r.ClusterName, r.Endpoint, r.KubernetesVersion,
		generate.WithVersionContract(contract), generate.WithSecretsBundle(bundle))
	if err != nil {
		return nil, fmt.Errorf("generate input: %w", err)
	}
	t := machine.TypeWorker
	if r.Role == "controlplane" {
		t = machine.TypeControlPlane
	}
	base, err := in.Config(t)
	if err != nil {
		return nil, fmt.Errorf("generate %s config: %w", r.Role, err)
	}
	patch, err := configpatcher.LoadPatch(r.Patch)
	if err != nil {
		return nil, fmt.Errorf("load patch: %w", err)
	}
	out, err := configpatcher.Apply(configpatcher.WithConfig(base), []configpatcher.Patch{patch})
	if err != nil {
		return nil, fmt.Errorf("apply patch: %w", err)
	}
	rendered, err := out.Bytes()
	if err != nil {
		return nil, err
	}
	cfg, err := configloader.NewFromBytes(rendered)
	if err != nil {
		return nil, fmt.Errorf("config loader: %w", err)
	}
	// As `talosctl validate --mode cloud` does (cmd/talosctl/cmd/talos/validate.go), not strict.
	return cfg.Validate(cloudMode{})
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
		warnings, err := validate(r)
		res := result{Name: r.Name, Warnings: append([]string{}, warnings...)}
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
