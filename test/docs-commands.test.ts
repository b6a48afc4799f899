/**
 * Every command the docs tell a user to run (code blocks of `sh` and inline spans that start
 * with a command-line tool) is either run by the test suite or named here with what makes
 * it right: the script, stack, key, URN or namespace it refers to must exist in this
 * repository, and a command of another tool must match the form its upstream source
 * defines. A command the docs gain that no entry covers fails the test, with its line.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_KEYS } from "../config/keys";
import { CONSUMER_NAMESPACE, CONSUMER_SERVICE_ACCOUNT } from "../components/platform/consumer-access";
import { ONEPASSWORD_NAMESPACE } from "../components/platform/onepassword-operator";

const ROOT = path.join(__dirname, "..");
const DOCS = ["README.md", "docs/operating.md"] as const;
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
const STACKS = fs
  .readdirSync(ROOT)
  .flatMap((f) => /^Pulumi\.([a-z]+)\.yaml$/.exec(f)?.[1] ?? [])
  .sort();
/** What the docs write where a user fills in a value. */
const PLACEHOLDER = /^<[^>]+>$/;
const stackOrPlaceholder = (s: string) => STACKS.includes(s) || PLACEHOLDER.test(s);
const urns = (stack: string) => read(`test/fixtures/urns/${stack}.txt`).split("\n").filter(Boolean);

/** Tools whose invocations count as commands when an inline span starts with them. */
const TOOLS =
  /^(?:[A-Z0-9_]+=\S+ )*(?:(?:pulumi|npm|kubectl|talosctl|flux|helm|age|sops|ntfy|pveum|git) |\/usr\/local\/bin\/)/;

interface DocCommand {
  readonly where: string;
  readonly command: string;
}

/** The commands of one document: lines of `sh` blocks (comments cut) and command spans. */
export function commandsOf(file: string, text: string): DocCommand[] {
  const found: DocCommand[] = [];
  const lines = text.split("\n");
  let inShell = false;
  let inOther = false;
  lines.forEach((line, i) => {
    const fence = /^\s*```(\w*)/.exec(line);
    if (fence) {
      if (inShell || inOther) inShell = inOther = false;
      else if (fence[1] === "sh" || fence[1] === "bash") inShell = true;
      else inOther = true;
      return;
    }
    if (inShell) {
      const command = line.replace(/\s+#.*$/, "").trim();
      if (command && !command.startsWith("#")) found.push({ where: `${file}:${i + 1}`, command });
    }
  });
  // Inline spans outside fences; a span may wrap onto the next line.
  const prose = text.replace(/```[\s\S]*?```/g, (block) => block.replace(/[^\n]/g, " "));
  for (const m of prose.matchAll(/`([^`]+)`/g)) {
    const command = m[1].replace(/\s+/g, " ").trim();
    if (!TOOLS.test(command)) continue;
    const line = prose.slice(0, m.index).split("\n").length;
    found.push({ where: `${file}:${line}`, command });
  }
  return found;
}

interface Entry {
  readonly pattern: RegExp;
  /** What the docs mean by it, and why it is right. */
  readonly why: string;
  /** Checks the parts of the command against this repository; throws when one is wrong. */
  readonly check?: (m: RegExpExecArray) => void;
}

function expectTrue(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

/** Every command the docs may contain. */
const ENTRIES: readonly Entry[] = [
  // This repository's own commands.
  {
    pattern: /^npm ci$/,
    why: "installs the locked dependencies; .ci/run runs it on every CI run",
    check: () => {
      expectTrue(fs.existsSync(path.join(ROOT, "package-lock.json")), "npm ci needs package-lock.json");
      expectTrue(/npm ci/.test(read(".ci/run")), ".ci/run must run npm ci");
    },
  },
  {
    pattern: /^npm test$/,
    why: "the test command; .ci/run runs it on every CI run",
    check: () => {
      expectTrue("test" in scripts, "package.json has no test script");
      expectTrue(/npm test/.test(read(".ci/run")), ".ci/run must run npm test");
    },
  },
  {
    pattern: /^npm run synth -- (\S+)( --out \S+)?( --emit)?( --emit-to \S+)?$/,
    why: "the offline synth; test/synth.test.ts and tools tests run it for every stack",
    check: (m) => {
      expectTrue("synth" in scripts, "package.json has no synth script");
      expectTrue(stackOrPlaceholder(m[1]), `no stack file for "${m[1]}"`);
      const usage = read("tools/synth.ts");
      if (m[2]) expectTrue(usage.includes("[--out DIR]"), "synth has no --out");
      if (m[3]) expectTrue(usage.includes("[--emit]"), "synth has no --emit");
      if (m[4]) expectTrue(usage.includes("[--emit-to CHECKOUT]"), "synth has no --emit-to");
    },
  },
  {
    pattern: /^npm run diff -- (\S+)((?: \[?--(?:base|markdown|max-lines)[^\]]*\]?)*)$/,
    why: "the offline plan diff; test/tools/diff*.test.ts run it",
    check: (m) => {
      expectTrue("diff" in scripts, "package.json has no diff script");
      expectTrue(stackOrPlaceholder(m[1]), `no stack file for "${m[1]}"`);
      for (const flag of m[2].match(/--[a-z-]+/g) ?? [])
        expectTrue(read("tools/diff.ts").includes(`[${flag}`), `diff has no ${flag}`);
    },
  },
  {
    pattern: /^npm run checks$/,
    why: "npm test's static checks side by side (tools/checks.sh)",
    check: () => {
      expectTrue(
        scripts.checks === "bash tools/checks.sh",
        "package.json's checks script is not tools/checks.sh",
      );
      expectTrue(scripts.test.includes("npm run checks"), "npm test does not run the checks");
    },
  },
  {
    pattern: /^npm run synth:all$/,
    why: "every stack's offline synth; npm test runs it beside the unit tests (test/setup/synth-cache.ts)",
    check: () => {
      expectTrue("synth:all" in scripts, "package.json has no synth:all script");
      expectTrue(
        scripts.test.includes("PLATFORM_TEST_SYNTH_ALL=1 npm run unit"),
        "npm test does not run synth:all beside the unit tests",
      );
    },
  },
  {
    pattern: /^npm run bench(?: \[-- --short\])?$/,
    why: "the benchmark; test/tools/bench.test.ts runs its short mode",
    check: () => expectTrue("bench" in scripts, "package.json has no bench script"),
  },
  {
    pattern: /^(?:E2E_ONLY=(\S+) )?npm run e2e$/,
    why: "the real-tools loop (test/e2e); E2E_ONLY names stack/cluster pairs of the shipped stacks; .ci/run runs it after npm test",
    check: (m) => {
      expectTrue("e2e" in scripts, "package.json has no e2e script");
      expectTrue(
        // A command line (not a comment or a message) ending in `npm run e2e`, after `npm test`.
        /^npm test$[\s\S]*^(?!\s*(?:#|echo))[^\n]*\bnpm run e2e$/m.test(read(".ci/run")),
        ".ci/run must run npm run e2e after npm test",
      );
      for (const pair of (m[1] ?? "").split(",").filter(Boolean)) {
        const [stack, cluster] = pair.split("/");
        expectTrue(
          fs.existsSync(path.join(ROOT, `Pulumi.${stack}.yaml`)) &&
            fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8").includes(`    ${cluster}:`),
          `E2E_ONLY names ${pair}, which is no cluster of a shipped stack`,
        );
      }
    },
  },
  {
    pattern: /^npm run build$/,
    why: "compiles the program and tools to bin/; test/tools/build.test.ts checks the scripts build first",
    check: () => expectTrue("build" in scripts, "package.json has no build script"),
  },
  {
    pattern: /^npm run secrets -- (\S+)$/,
    why: "prints the secrets a stack needs; test/tools/secrets.test.ts runs it",
    check: (m) => {
      expectTrue("secrets" in scripts, "package.json has no secrets script");
      expectTrue(stackOrPlaceholder(m[1]), `no stack file for "${m[1]}"`);
    },
  },
  {
    pattern: /^npm run update-image$/,
    why: "applies an image_update payload; test/tools/update-image.test.ts runs it",
    check: () => expectTrue("update-image" in scripts, "package.json has no update-image script"),
  },
  // Pulumi CLI: the project, stacks, keys and URNs it names must be this program's.
  {
    pattern: /^pulumi stack export --show-secrets --file ([^<\s]\S*)$/,
    why: "pulumi stack export [flags]: --file (a filename to write stack output to), --show-secrets (emit secrets in plaintext) (Pulumi CLI reference); how an operator reads admin credentials that are no stack output",
    check: (m) =>
      expectTrue(!/^(Pulumi\.|\.\.?\/)/.test(m[1]), `write the export beside the project, not over ${m[1]}`),
  },
  {
    pattern: /^pulumi login$/,
    why: "logs in to the state backend the user chooses (no flags)",
  },
  {
    pattern: /^pulumi stack (?:init|select) (\S+)$/,
    why: "selects one of the stack files",
    check: (m) => expectTrue(stackOrPlaceholder(m[1]), `no Pulumi.${m[1]}.yaml`),
  },
  {
    pattern: /^pulumi config set --secret(?: platform:([A-Za-z0-9<>]+)(?: (?:<\s*\S+|'[^']*'|<[^>]+>))?)?$/,
    why: "sets a secret key the program reads (config/keys.ts) with --secret",
    check: (m) => {
      if (m[1] === undefined || m[1] === "<key>") return;
      const spec = (CONFIG_KEYS as Record<string, { secret: boolean } | undefined>)[m[1]];
      expectTrue(spec?.secret === true, `platform:${m[1]} is not a secret key the program reads`);
    },
  },
  {
    pattern: /^pulumi config set --path 'platform:appModules\.([a-z0-9-]+)' (\S+)$/,
    why:
      'lists a custom app module (README "Add your own app"): `pulumi config set --path` sets one key of an ' +
      "object value (Pulumi CLI reference, `pulumi config set`); test/apps/custom-app.test.ts loads the module",
    check: (m) => {
      expectTrue("appModules" in CONFIG_KEYS, "platform:appModules is not a key the program reads");
      const source = [`${m[2]}.ts`, `${m[2]}/index.ts`].find((f) => fs.existsSync(path.join(ROOT, f)));
      expectTrue(source !== undefined, `no module ${m[2]} in the repository`);
      expectTrue(read(source!).includes(`name: "${m[1]}"`), `${m[2]} defines no app named ${m[1]}`);
      expectTrue(
        (JSON.parse(read("tsconfig.build.json")) as { include: string[] }).include.some((i) =>
          m[2].startsWith(i.replace("/**/*.ts", "")),
        ),
        `npm run build does not compile ${m[2]}`,
      );
    },
  },
  {
    pattern:
      /^pulumi config set --secret (?:--path 'platform:kubeconfigs\.<cluster>' "\$\(cat kubeconfig\)"|platform:kubeconfigs "\$\(jq -n --rawfile k kubeconfig '\{"<cluster>": \$k\}'\)")$/,
    why:
      "the existing clusters' kubeconfigs, a secret JSON object keyed by cluster (config/keys.ts kubeconfigs): " +
      "`pulumi config set --path` sets one key of an object value (Pulumi CLI reference, `pulumi config set`); " +
      "jq's --rawfile binds a file's text to a variable (jq manual)",
    check: () =>
      expectTrue("kubeconfigs" in CONFIG_KEYS, "platform:kubeconfigs is not a key the program reads"),
  },
  {
    pattern:
      /^(?:PULUMI_K8S_UPSERT_EXISTING_OBJECTS=true )?(?:PULUMI_K8S_ENABLE_PATCH_FORCE=true )?pulumi (?:preview|up)$/,
    why:
      "the deployment itself. PULUMI_K8S_UPSERT_EXISTING_OBJECTS: pulumi-kubernetes' switch (provider config " +
      "upsertExistingObjects, pulumi/pulumi-kubernetes#4278) that adopts objects that already exist; since v4.29.0. " +
      "PULUMI_K8S_ENABLE_PATCH_FORCE: the provider config enablePatchForce's environment variable (provider.d.ts: " +
      '"enable patch force on all Server-Side Apply operations, overriding any field conflicts")',
    check: (m) => {
      expectTrue(fs.existsSync(path.join(ROOT, "Pulumi.yaml")), "no Pulumi.yaml");
      if (m[0].includes("PULUMI_K8S_ENABLE_PATCH_FORCE"))
        expectTrue(
          fs
            .readFileSync(path.join(ROOT, "node_modules/@pulumi/kubernetes/provider.d.ts"), "utf8")
            .includes("PULUMI_K8S_ENABLE_PATCH_FORCE"),
          "the pinned @pulumi/kubernetes has no PULUMI_K8S_ENABLE_PATCH_FORCE",
        );
      if (!m[0].startsWith("PULUMI_K8S_UPSERT_EXISTING_OBJECTS")) return;
      const pinned = (JSON.parse(read("package.json")) as { dependencies: Record<string, string> })
        .dependencies["@pulumi/kubernetes"];
      const [major, minor] = pinned.split(".").map(Number);
      expectTrue(
        major > 4 || (major === 4 && minor >= 29),
        `@pulumi/kubernetes ${pinned} predates the upsert switch`,
      );
    },
  },
  {
    pattern: /^pulumi preview --policy-pack (\S+)$/,
    why: "the preview with the CrossGuard pack under policy/",
    check: (m) =>
      expectTrue(fs.existsSync(path.join(ROOT, m[1], "PulumiPolicy.yaml")), `no ${m[1]}/PulumiPolicy.yaml`),
  },
  {
    pattern: /^pulumi up --replace <urn>$/,
    why: "replaces one generated password; the docs point at the URN fixtures, which must list them",
    check: () => {
      for (const stack of STACKS)
        expectTrue(
          urns(stack).some((u) => u.includes("random:index/randomPassword:RandomPassword::")),
          `test/fixtures/urns/${stack}.txt lists no RandomPassword`,
        );
    },
  },
  {
    pattern: /^pulumi (?:destroy|state delete)$/,
    why: "named as what a user does, with no arguments of ours",
  },
  {
    pattern: /^pulumi stack export --show-secrets --file <[^>]+>$/,
    why:
      "pulumi CLI reference, `pulumi stack export`: --file (A filename to write stack output to), " +
      "--show-secrets (Emit secrets in plaintext in exported stack); the etcd backups' age identity is a secret output of the Talos component",
    check: () =>
      expectTrue(
        read("components/cluster/talos/configs.ts").includes("-etcd-backup-age-identity"),
        "the Talos component keeps no age identity",
      ),
  },
  {
    pattern: /^pulumi state unprotect --all$/,
    why: "pulumi CLI reference, `pulumi state unprotect`: --all (Unprotect all resources in the checkpoint); the program protects the Talos secrets bundle, the LUKS passphrase and the endpoint's Primary IP",
  },
  {
    pattern: /^pulumi import (\S+) (\S+) <[^>]+> --parent (\S+)=(\S+) --provider (\S+)=(\S+) --protect$/,
    why:
      "imports a server under the cluster component and its explicit provider (`pulumi import` docs: " +
      "--parent 'parent=<urn>' --provider 'admin=<urn>'): the type, name, parent and provider URNs must be the program's",
    check: (m) => {
      const [, type, name, , parentUrn, , providerUrn] = m;
      const stack = parentUrn.split("::")[0].replace("urn:pulumi:", "");
      const all = urns(stack);
      expectTrue(all.includes(parentUrn), `${parentUrn} is not a URN of ${stack}`);
      expectTrue(
        all.some((u) => u.endsWith(`$${type}::${name}`) && u.includes(parentUrn.split("::")[2])),
        `${stack} registers no ${type} named ${name} under ${parentUrn}`,
      );
      const provider = type.split(":")[0];
      expectTrue(
        all.includes(providerUrn) && providerUrn.includes(`::pulumi:providers:${provider}::`),
        `${providerUrn} is not the ${provider} provider of ${stack}`,
      );
    },
  },
  // kubectl against objects the program creates.
  {
    pattern: /^kubectl -n (\S+) rollout restart deployment(?: <name>)?$/,
    why: "restarts pods so they read a rotated Secret; the namespace must be one the program creates",
    check: (m) =>
      expectTrue(PLACEHOLDER.test(m[1]) || m[1] === ONEPASSWORD_NAMESPACE, `unknown namespace ${m[1]}`),
  },
  {
    pattern: /^kubectl -n <namespace> (?:get|delete) cluster\.postgresql\.cnpg\.io(?: <name>)?$/,
    why: "CloudNativePG's Cluster kind, which the program creates for each database",
    check: () =>
      expectTrue(
        STACKS.some((s) => urns(s).some((u) => u.includes("$kubernetes:postgresql.cnpg.io/v1:Cluster::"))),
        "no stack creates a postgresql.cnpg.io Cluster",
      ),
  },
  {
    pattern: /^kubectl -n (\S+) create token (\S+) --duration=(\d+[smh])$/,
    why: "kubectl create token SERVICE_ACCOUNT_NAME [--duration] (kubectl reference, TokenRequest API); the namespace and ServiceAccount the outputs contract names",
    check: (m) => {
      expectTrue(m[1] === CONSUMER_NAMESPACE, `the consumer namespace is ${CONSUMER_NAMESPACE}, not ${m[1]}`);
      expectTrue(
        m[2] === CONSUMER_SERVICE_ACCOUNT,
        `the consumer ServiceAccount is ${CONSUMER_SERVICE_ACCOUNT}, not ${m[2]}`,
      );
    },
  },
  {
    pattern: /^kubectl -n (\S+) port-forward service\/(\S+) (\d+):(\d+)$/,
    why: "kubectl port-forward TYPE/NAME [LOCAL_PORT:]REMOTE_PORT (kubectl reference); onboarding an app whose first account becomes admin before it is published",
    check: (m) => {
      const known: Record<string, [string, number]> = {
        ai: ["open-webui", 8080],
        immich: ["immich-server", 2283],
      };
      expectTrue(known[m[1]]?.[0] === m[2], `no onboarding Service ${m[1]}/${m[2]}`);
      expectTrue(Number(m[4]) === known[m[1]][1], `${m[2]} listens on ${known[m[1]][1]}, not ${m[4]}`);
      expectTrue(
        read(
          m[1] === "ai" ? "components/apps/ai-services/llm.ts" : "components/apps/immich/index.ts",
        ).includes("onboarded"),
        `${m[2]} has no onboarded gate`,
      );
    },
  },
  {
    pattern: /^kubectl -n longhorn-system get backups\.longhorn\.io$/,
    why: "Longhorn's Backup kind (longhorn.io), one per volume backup, in the namespace the program installs Longhorn into",
    check: () =>
      expectTrue(
        read("components/platform/longhorn/settings.ts").includes('namespace: "longhorn-system"'),
        "Longhorn is not in longhorn-system",
      ),
  },
  // talosctl: the program runs the same subcommands itself.
  {
    pattern: /^talosctl (upgrade|upgrade-k8s|gen secrets|gen config|apply-config --insecure|reset)$/,
    why: "what the program runs node by node (components/cluster/talos/talosctl.ts)",
    check: (m) =>
      expectTrue(
        read("components/cluster/talos/talosctl.ts").includes(`talosctl ${m[1]} `),
        `the program does not run talosctl ${m[1]}`,
      ),
  },
  {
    pattern: /^kubectl (delete node|rollout restart)$/,
    why: "what the Talos component runs itself (a node's -leave, a Secret reader's -restart command)",
    check: (m) =>
      expectTrue(
        [read("components/cluster/talos/talosctl.ts"), read("components/cluster/talos/secrets.ts")].some(
          (f) =>
            f.includes(`"$d/kubeconfig" ${m[1].startsWith("delete") ? m[1] : `-n "$NAMESPACE" ${m[1]}`} `),
        ),
        `the program does not run kubectl ${m[1]}`,
      ),
  },
  // Other tools: the form their upstream source defines, read at the pinned versions.
  {
    pattern: /^talosctl --talosconfig \.\/talosconfig kubeconfig \.\/kubeconfig$/,
    why: 'siderolabs/talos website/content/v1.11/reference/cli.md: `talosctl kubeconfig [local-path]` ("Download the admin kubeconfig from the node"), --talosconfig inherited from the parent command',
  },
  {
    pattern: /^talosctl --nodes <cp-address> bootstrap --recover-from=\.\/db\.snapshot$/,
    why: "siderolabs/talos website/content/v1.11/reference/cli.md, `talosctl bootstrap`: --recover-from (recover etcd cluster from the snapshot), --recover-skip-hash-check (for a data directory copy)",
  },
  {
    pattern: /^flux uninstall --keep-namespace$/,
    why:
      "fluxcd/flux2 cmd/flux/uninstall.go: --keep-namespace (skip namespace deletion); pkg/uninstall " +
      "Finalizers() empties the finalizers of Kustomizations and HelmReleases first, so workloads stay",
    check: () =>
      expectTrue(
        read("components/gitops/flux-objects.ts").includes('"flux-system"'),
        "Flux is not in flux-system",
      ),
  },
  {
    pattern: /^flux (suspend|resume) kustomization (--all|platform-root|<addon>) -n flux-system$/,
    why:
      "fluxcd/flux2 cmd/flux/suspend.go and resume.go: `flux suspend|resume kustomization [name]`, the persistent " +
      '--all flag ("suspend all resources in that namespace") and -n/--namespace; the root unit\'s name; an ' +
      "addon's unit has its item's name (flux-placement.ts `fluxUnitName`, base phase), as its HelmRelease does",
    check: (m) => {
      if (m[2] === "platform-root")
        expectTrue(
          read("components/gitops/flux-objects.ts").includes('ROOT_UNIT_NAME = "platform-root"'),
          "the root unit is not platform-root",
        );
      if (m[2] === "<addon>")
        expectTrue(
          read("components/gitops/flux-placement.ts").includes(
            'return phase === "base" ? item : `${item}-${phase}`;',
          ),
          "an addon's unit is not named after its item",
        );
    },
  },
  {
    pattern: /^kubectl -n flux-system get helmreleases$/,
    why: "kubectl get TYPE with -n (kubernetes/kubectl pkg/cmd/get/get.go); HelmReleases live in flux-system (flux-objects.ts `fluxHelmRelease`)",
    check: () =>
      expectTrue(
        read("components/gitops/flux-objects.ts").includes('"flux-system"'),
        "HelmReleases are not in flux-system",
      ),
  },
  {
    pattern:
      /^kubectl get all,pvc,cluster\.postgresql\.cnpg\.io,database\.postgresql\.cnpg\.io -n <namespace>$/,
    why: "kubectl get TYPE[,TYPE...] (kubernetes/kubectl pkg/cmd/get/get.go); Cluster and Database are the CloudNativePG kinds the program creates",
  },
  {
    pattern: /^kubectl -n <namespace> delete (database|cluster)\.postgresql\.cnpg\.io --all$/,
    why: 'kubectl delete TYPE --all (kubernetes/kubectl pkg/cmd/delete/delete.go: "Delete all resources, in the namespace of the specified resource types")',
    check: (m) =>
      expectTrue(
        read("components/platform/cloudnative-pg/cluster.ts").includes(
          m[1] === "database" ? '"Database"' : '"Cluster"',
        ),
        `the program creates no CloudNativePG ${m[1]}`,
      ),
  },
  {
    pattern: /^kubectl delete namespace <namespace>$/,
    why: "kubectl delete TYPE NAME; deleting a Namespace deletes every object in it (the operating guide says so before it)",
  },
  {
    pattern: /^flux get kustomizations$/,
    why: "fluxcd/flux2 cmd/flux/get_kustomization.go: `flux get kustomizations` (Kustomization statuses)",
  },
  {
    pattern: /^helm -n (\S+) uninstall (\S+)$/,
    why: "helm/helm cmd/helm/uninstall.go (uninstall RELEASE_NAME) and the global -n/--namespace flag; the release the program installs",
    check: (m) => {
      const engine = read("components/gitops/argocd.ts");
      expectTrue(engine.includes(`name: "${m[2]}",`), `the Argo CD release is not named ${m[2]}`);
      expectTrue(
        read("components/gitops/argocd-objects.ts").includes(`ARGOCD_NAMESPACE = "${m[1]}"`),
        `Argo CD is not in ${m[1]}`,
      );
    },
  },
  {
    pattern: /^age -d -i <key>$/,
    why: "FiloSottile/age cmd/age/age.go: -d/--decrypt, -i/--identity PATH",
  },
  {
    pattern: /^sops updatekeys <file>$/,
    why: "getsops/sops cmd/sops/main.go: updatekeys (update the keys of SOPS files using the config file)",
  },
  {
    pattern: /^ntfy webpush keys$/,
    why: "binwiederhier/ntfy cmd/webpush.go: `ntfy webpush keys` generates the VAPID key pair",
  },
  {
    pattern: /^ntfy user add$/,
    why: "docs.ntfy.sh/config/#users-and-roles: `ntfy user add [--role=admin] <user>` (run in the pod)",
  },
  {
    pattern: /^pveum user token add <user> <tokenid>$/,
    why: "proxmox/pve-access-control src/PVE/CLI/pveum.pm: user token add <userid> <tokenid>",
  },
  // Homelab day 2 (docs/operating.md, "Homelab: ..."); the program's own names are checked.
  {
    pattern: /^ssh-keyscan -t ed25519 (\S+)$/,
    why: "openssh-portable ssh-keyscan.1: -t type (ed25519) prints `host keytype base64`; the address must be a host of the homelab stack",
    check: (m) =>
      expectTrue(read("Pulumi.homelab.yaml").includes(m[1]), `${m[1]} is not a homelab host address`),
  },
  {
    pattern: /^kubectl (?:drain <node> --ignore-daemonsets --delete-emptydir-data|uncordon <node>)$/,
    why: "kubernetes/kubectl pkg/cmd/drain: `drain NODE` with --ignore-daemonsets and --delete-emptydir-data, `uncordon NODE`; the same flags the program's drains use",
    check: () =>
      expectTrue(
        read("components/cluster/k3s/lifecycle.ts").includes("--ignore-daemonsets --delete-emptydir-data"),
        "the program's drain flags changed",
      ),
  },
  {
    pattern: /^(?:ssh <host> )?sudo systemctl (reboot|stop k3s|start k3s)$/,
    why: "systemd's systemctl reboot/stop/start; k3s-io/k3s install.sh names a server's unit k3s.service (SYSTEM_NAME=k3s)",
  },
  {
    pattern:
      /^sudo k3s (?:etcd-snapshot ls|server --cluster-reset) --etcd-s3 --etcd-s3-endpoint=<endpoint> --etcd-s3-region=<region> --etcd-s3-bucket=<bucket> --etcd-s3-folder=<folder>(?: --cluster-reset-restore-path=<snapshot>)?$/,
    why: "docs.k3s.io/cli/etcd-snapshot: `k3s etcd-snapshot ls` and the --etcd-s3* options (S3 Compatible Object Store Support); restore with `k3s server --cluster-reset --cluster-reset-restore-path=<snapshot>` plus the same S3 options; the program sets the same flags",
    check: () =>
      expectTrue(
        ["--etcd-s3-endpoint=", "--etcd-s3-region=", "--etcd-s3-bucket=", "--etcd-s3-folder="].every((f) =>
          read("components/cluster/k3s/scripts.ts").includes(f),
        ),
        "the program's etcd S3 flags changed",
      ),
  },
  {
    pattern: /^sudo rm -rf \/var\/lib\/rancher\/k3s\/server\/db\/$/,
    why: "docs.k3s.io/cli/etcd-snapshot, restoring an HA cluster: on the other servers stop K3s and delete /var/lib/rancher/k3s/server/db/, then start them to rejoin",
  },
  {
    pattern: /^sudo k3s secrets-encrypt (status|reencrypt)$/,
    why: "docs.k3s.io/cli/secrets-encrypt: `k3s secrets-encrypt status` and `reencrypt` (about 5 Secrets per second)",
  },
  {
    pattern: /^scp root@(\S+):\/etc\/pve\/pve-root-ca\.pem \.\/pve-root-ca\.pem$/,
    why: "pve.proxmox.com/wiki/Certificate_Management: the cluster CA is /etc/pve/pve-root-ca.pem; the host must be the stack's Proxmox endpoint",
    check: (m) =>
      expectTrue(
        read("Pulumi.homelab.yaml").includes(`https://${m[1]}:8006/`),
        `${m[1]} is not the Proxmox endpoint`,
      ),
  },
  {
    pattern: /^SSL_CERT_FILE=\.\/pve-root-ca\.pem pulumi up$/,
    why: "golang/go src/crypto/x509/root_unix.go: SSL_CERT_FILE overrides the system roots on Linux; the Proxmox provider is a Go plugin",
  },
  {
    pattern:
      /^curl -sfL https:\/\/raw\.githubusercontent\.com\/k3s-io\/k3s\/<release>\/install\.sh \| sha256sum$/,
    why: "the installer URL the program fetches (k3sInstallerUrl) and coreutils sha256sum; the hosts check it with sha256sum -c",
    check: () =>
      expectTrue(
        read("components/cluster/k3s/scripts.ts").includes(
          "https://raw.githubusercontent.com/k3s-io/k3s/${encodeURIComponent(version)}/install.sh",
        ),
        "the program fetches install.sh from another URL",
      ),
  },
  {
    pattern: /^pulumi state unprotect$/,
    why: "pulumi/pulumi pkg/cmd/pulumi/state/state_unprotect.go: `pulumi state unprotect [resource URN]` clears protect so destroy can proceed",
  },
  {
    pattern: /^\/usr\/local\/bin\/(k3s-uninstall\.sh|k3s-agent-uninstall\.sh)$/,
    why: "k3s-io/k3s install.sh: ${BIN_DIR}/${SYSTEM_NAME}-uninstall.sh (k3s on a server, k3s-agent on an agent); the program's own removal runs the same",
    check: (m) =>
      expectTrue(
        read("components/cluster/k3s/scripts.ts").includes(`/usr/local/bin/${m[1]}`),
        `the program does not run ${m[1]}`,
      ),
  },
];

describe.each(DOCS)("commands in %s", (file) => {
  const commands = commandsOf(file, read(file));

  it("are found", () => {
    expect(commands.length).toBeGreaterThan(5);
  });

  it.each(commands.map((c) => [c.where, c.command]))("%s: %s is covered and right", (where, command) => {
    const matching = ENTRIES.filter((e) => e.pattern.test(command));
    expect({ where, command, entries: matching.length }).toEqual({ where, command, entries: 1 });
    const m = matching[0].pattern.exec(command)!;
    matching[0].check?.(m);
  });
});

describe("the command entries", () => {
  it("each cover a command the docs still contain", () => {
    const all = DOCS.flatMap((file) => commandsOf(file, read(file))).map((c) => c.command);
    const unused = ENTRIES.filter((e) => !all.some((c) => e.pattern.test(c))).map((e) => String(e.pattern));
    expect(unused).toEqual([]);
  });
});

describe("commandsOf", () => {
  it("takes sh block lines without comments and command spans, and nothing else", () => {
    const text = [
      "Run `npm test` and then `talosctl`, a tool name alone, and `flux get",
      "kustomizations` wrapped.",
      "```sh",
      "# a comment",
      "pulumi up        # deploy",
      "```",
      "```yaml",
      "pulumi: not a command",
      "```",
    ].join("\n");
    expect(commandsOf("x.md", text)).toEqual([
      { where: "x.md:5", command: "pulumi up" },
      { where: "x.md:1", command: "npm test" },
      { where: "x.md:1", command: "flux get kustomizations" },
    ]);
  });
});
