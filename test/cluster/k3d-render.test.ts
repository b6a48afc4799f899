import { spawnSync } from "node:child_process";
import {
  k3dBinaryUrl,
  k3dCreateArgs,
  renderDockerInstallScript,
  renderK3dCreateScript,
  renderK3dDeleteScript,
  renderK3dInstallScript,
  renderK3dKubeconfigScript,
  renderVmArgs,
  validateK3dArgs,
} from "../../components/cluster/k3d";
import {
  planK3sNodes,
  renderEvictScript,
  renderReadJoinTokenScript,
  renderRemoveNodeScript,
  renderTeardownClearScript,
  renderTeardownMarkScript,
  renderUncordonScript,
  renderUpgradeDrainScript,
  renderInstallScript,
  renderPrepareScript,
  renderReadKubeconfigScript,
  renderUninstallScript,
} from "../../components/cluster/k3s";
import { VERSIONS, piHost, productionConfig, stagingConfig } from "./k3s-fixtures";

describe("renderVmArgs", () => {
  it("clones the template with the configured size, static address and SSH keys", () => {
    expect(renderVmArgs(stagingConfig())).toMatchObject({
      nodeName: "pve",
      vmId: 152,
      name: "k3d-staging",
      clone: { vmId: 9000, nodeName: "pve", datastoreId: "local-lvm", full: true },
      cpu: { cores: 4 },
      memory: { dedicated: 16384 },
      disks: [{ interface: "scsi0", datastoreId: "local-lvm", size: 100 }],
      networkDevices: [{ bridge: "vmbr0" }],
      initialization: {
        ipConfigs: [{ ipv4: { address: "10.0.40.52/24", gateway: "10.0.40.1" } }],
        dns: { servers: ["10.0.40.1"] },
        userAccount: {
          username: "debian",
          keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnly ops@homelab"],
        },
      },
      started: true,
      onBoot: true,
    });
  });
});

describe("k3d scripts", () => {
  it("creates 1 server + 3 agents with the pinned image, the API on the VM and 80/443 on the load balancer", () => {
    expect(k3dCreateArgs(stagingConfig(), VERSIONS)).toEqual([
      "cluster",
      "create",
      "staging",
      "--servers=1",
      "--agents=3",
      "--image=rancher/k3s:v1.33.5-k3s1",
      "--api-port=10.0.40.52:6443",
      "--port=80:80@loadbalancer",
      "--port=443:443@loadbalancer",
      "--k3s-arg=--tls-san=10.0.40.52@server:*",
      "--wait",
      "--timeout=600s",
      "--kubeconfig-update-default=false",
      "--kubeconfig-switch-context=false",
    ]);
    const script = renderK3dCreateScript(stagingConfig(), VERSIONS);
    expect(script).toContain("if $SUDO k3d cluster get staging >/dev/null 2>&1; then");
    expect(script).toContain(
      "$SUDO k3d cluster create staging --servers=1 --agents=3 --image=rancher/k3s:v1.33.5-k3s1 ",
    );
    expect(script).toContain("'--k3s-arg=--tls-san=10.0.40.52@server:*'");
    expect(script).not.toMatch(/--disable|--no-lb/);
  });

  it("installs Docker at the pinned version from Docker's apt repository, and can upgrade held packages", () => {
    const docker = renderDockerInstallScript("28.5.2", "amd64");
    expect(docker).toContain("cloud-init status --wait");
    expect(docker).toContain('if [ "$CURRENT" = 28.5.2 ]; then');
    // The docs' VERSION_STRING: 5:<version>-1~ubuntu.<VERSION_ID>~<codename>.
    expect(docker).toContain('CODENAME="${UBUNTU_CODENAME:-$VERSION_CODENAME}"');
    expect(docker).toContain('VERSION_STRING="5:28.5.2-1~ubuntu.${VERSION_ID}~${CODENAME}"');
    expect(docker).toContain(
      "$SUDO curl -fsSL https://download.docker.com/linux/ubuntu/gpg -o /etc/apt/keyrings/docker.asc",
    );
    expect(docker).toContain("| $SUDO tee /etc/apt/sources.list.d/docker.sources >/dev/null");
    expect(docker).toContain(
      '"docker-ce=$VERSION_STRING" "docker-ce-cli=$VERSION_STRING" containerd.io docker-buildx-plugin docker-compose-plugin',
    );
    expect(docker).not.toContain("get.docker.com");
    // Unhold before the install (a held package cannot move), hold again after.
    const unhold = docker.indexOf("$SUDO apt-mark unhold docker-ce docker-ce-cli containerd.io");
    const install = docker.indexOf('"docker-ce=$VERSION_STRING"');
    const hold = docker.indexOf("$SUDO apt-mark hold docker-ce docker-ce-cli containerd.io");
    expect(unhold).toBeGreaterThan(0);
    expect(unhold).toBeLessThan(install);
    expect(install).toBeLessThan(hold);
    expect(docker).toContain('echo "Docker is $CURRENT after the install, expected 28.5.2" >&2; exit 1');
    expect(k3dBinaryUrl("v5.8.3", "arm64")).toBe(
      "https://github.com/k3d-io/k3d/releases/download/v5.8.3/k3d-linux-arm64",
    );
    const k3d = renderK3dInstallScript("v5.8.3", "amd64");
    expect(k3d).toContain(
      "curl -fsSL https://github.com/k3d-io/k3d/releases/download/v5.8.3/k3d-linux-amd64 -o",
    );
    expect(k3d).toContain("= 'k3d version v5.8.3' ]");
    expect(k3d).toContain("!= x86_64 ]");
  });

  it("deletes the cluster, saying what goes with it, and reads its kubeconfig", () => {
    const del = renderK3dDeleteScript("staging");
    expect(del).toContain("  $SUDO k3d cluster delete staging\nfi");
    expect(del).toContain("deleting k3d cluster staging with its workloads and local-path volumes");
    expect(renderK3dKubeconfigScript("staging")).toContain("$SUDO k3d kubeconfig get staging");
  });
});

describe("every rendered script", () => {
  const config = productionConfig({
    hosts: [piHost(1), piHost(2), piHost(3), { ...piHost(4, "agent"), labels: { "a.b/c": "it's" } }],
    formerNames: ["prod"],
  });
  const scripts: Record<string, string> = {
    prepare: renderPrepareScript(config, piHost(1)),
    ...Object.fromEntries(
      planK3sNodes(config.hosts).map((n) => [
        `install ${n.host.name}`,
        renderInstallScript(config, n, "v1.33.5+k3s1", "v1.0.4"),
      ]),
    ),
    remove: renderRemoveNodeScript("cm5-2"),
    evict: renderEvictScript("cm5-2"),
    upgradeDrain: renderUpgradeDrainScript("cm5-2", "v1.34.1+k3s1"),
    uncordon: renderUncordonScript("cm5-2"),
    teardownClear: renderTeardownClearScript(),
    teardownMark: renderTeardownMarkScript(),
    joinToken: renderReadJoinTokenScript(),
    installWithSnapshots: renderInstallScript(
      productionConfig({
        installerSha256: { "v1.33.5+k3s1": "0".repeat(64) },
        etcdSnapshots: {
          schedule: "0 */6 * * *",
          retention: 28,
          s3Endpoint: "s3.example.org",
          s3Region: "eu-central-003",
          s3Bucket: "homelab-etcd",
          s3Folder: "k3s",
        },
      }),
      planK3sNodes(config.hosts)[1],
      "v1.33.5+k3s1",
      "v1.0.4",
    ),
    uninstall: renderUninstallScript("cm5-2"),
    kubeconfig: renderReadKubeconfigScript(),
    docker: renderDockerInstallScript("28.5.2", "amd64"),
    k3d: renderK3dInstallScript("v5.8.3", "amd64"),
    create: renderK3dCreateScript(stagingConfig(), VERSIONS),
    delete: renderK3dDeleteScript("staging"),
    k3dKubeconfig: renderK3dKubeconfigScript("staging"),
  };

  it.each(Object.entries(scripts))("%s parses with sh -n", (_name, text) => {
    const result = spawnSync("sh", ["-n"], { input: text, encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  // CI installs shellcheck; without it these checks are skipped, and say so.
  const shellcheck = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
  const hasShellcheck = shellcheck.status === 0;
  if (!hasShellcheck) {
    console.warn(
      "shellcheck is not installed: skipping the shellcheck tests (apt-get install -y shellcheck)",
    );
  }
  (hasShellcheck ? it.each : it.skip.each)(Object.entries(scripts))(
    "%s passes shellcheck (POSIX sh)",
    (_name, text) => {
      const result = spawnSync("shellcheck", ["--shell=sh", "--severity=style", "-"], {
        input: text,
        encoding: "utf8",
      });
      expect(result.stdout).toBe("");
      expect(result.status).toBe(0);
    },
  );
});

describe("validateK3dArgs", () => {
  const check =
    (overrides: Parameters<typeof stagingConfig>[0], versions = VERSIONS) =>
    () =>
      validateK3dArgs("staging", stagingConfig(overrides), versions);
  const vm = stagingConfig().vm;

  it("accepts the staging cluster of 004", () => {
    expect(check({})).not.toThrow();
  });

  it("rejects an even server count and negative agents", () => {
    expect(check({ k3d: { servers: 2, agents: 3, registryMirrors: {} } })).toThrow(
      'ProxmoxK3dCluster "staging": config.k3d.servers is 2; embedded etcd needs an odd number: use 1 server or 3 or more (3, 5, 7)',
    );
    expect(check({ k3d: { servers: 1, agents: -1, registryMirrors: {} } })).toThrow(
      "config.k3d.agents is -1; expected an integer of 0 or more",
    );
  });

  it("rejects bad addresses and missing keys", () => {
    expect(check({ vm: { ...vm, address: "10.0.40.52" } })).toThrow(
      'config.vm.address is "10.0.40.52"; expected a static address in CIDR form such as "10.0.40.52/24"',
    );
    expect(check({ vm: { ...vm, gateway: "gw" } })).toThrow(
      'config.vm.gateway is "gw"; expected an IPv4 address',
    );
    expect(check({ vm: { ...vm, dnsServers: ["1.1.1"] } })).toThrow('config.vm.dnsServers[0] is "1.1.1"');
    expect(check({ vm: { ...vm, sshPublicKeys: [] } })).not.toThrow(); // empty: the key is derived from the private key
    expect(check({ vm: { ...vm, sshPublicKeys: ["-----BEGIN OPENSSH PRIVATE KEY-----"] } })).toThrow(
      'config.vm.sshPublicKeys[0] starts with "-----BEGIN"; expected an OpenSSH public key line',
    );
  });

  it("rejects bad sizes, VMIDs, architecture and versions", () => {
    expect(check({ vm: { ...vm, memoryMiB: 512 } })).toThrow(
      "config.vm.memoryMiB is 512; expected an integer of at least 2048",
    );
    const px = stagingConfig().proxmox;
    expect(check({ proxmox: { ...px, vmId: 9000 } })).toThrow(
      "config.proxmox.vmId 9000 equals config.proxmox.templateVmId",
    );
    expect(check({ proxmox: { ...px, vmId: 5 } })).toThrow(
      "config.proxmox.vmId is 5; expected an integer VMID 100-999999999",
    );
    expect(check({ architecture: "s390x" as never })).toThrow(
      'config.architecture is "s390x"; expected one of amd64, arm64',
    );
    expect(check({}, { ...VERSIONS, k3dK3sImage: "v1.33.5+k3s1" })).toThrow(
      'versions.k3dK3sImage is "v1.33.5+k3s1"; expected a rancher/k3s image tag such as "v1.33.5-k3s1"',
    );
    expect(check({}, { ...VERSIONS, k3d: "latest" })).toThrow('versions.k3d is "latest"');
    expect(check({}, { ...VERSIONS, docker: "v28" })).toThrow('versions.docker is "v28"');
  });

  it("requires staging's K3s image to run production's Kubernetes minor", () => {
    expect(check({}, { ...VERSIONS, k3dK3sImage: "v1.33.6-k3s1" })).not.toThrow();
    expect(check({}, { ...VERSIONS, k3dK3sImage: "v1.32.9-k3s1" })).toThrow(
      'ProxmoxK3dCluster "staging": versions.k3dK3sImage is "v1.32.9-k3s1" (Kubernetes 1.32) but versions.k3s is "v1.33.5+k3s1" (Kubernetes 1.33); staging must run production\'s Kubernetes minor, e.g. "v1.33.5-k3s1"',
    );
  });

  it("requires a k3d release known to run that K3s image", () => {
    expect(check({}, { ...VERSIONS, k3d: "v5.7.5" })).toThrow(
      'versions.k3d is "v5.7.5"; supported k3d releases are v5.8.x, v5.9.x (check k3d\'s release notes, then extend K3D_K3S_MINORS)',
    );
    expect(check({}, { ...VERSIONS, k3s: "v1.34.1+k3s1", k3dK3sImage: "v1.34.1-k3s1" })).toThrow(
      'versions.k3dK3sImage is "v1.34.1-k3s1" (Kubernetes 1.34), which k3d v5.8.3 is not known to run; supported: v1.33.x-k3sN',
    );
  });
});
