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
  renderDrainScript,
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

  it("installs Docker and k3d at the pinned versions for the architecture", () => {
    const docker = renderDockerInstallScript("28.5.1", "amd64");
    expect(docker).toContain('$SUDO sh "$INSTALLER" --version 28.5.1');
    expect(docker).toContain('if [ "$CURRENT" = 28.5.1 ]; then');
    expect(docker).toContain("cloud-init status --wait");
    // An upgrade unholds the packages and installs the exact version from Docker's apt repository.
    const upgrade = docker.slice(docker.indexOf("upgrading Docker"), docker.indexOf("apt-mark hold"));
    expect(upgrade).toContain("$SUDO apt-mark unhold docker-ce docker-ce-cli containerd.io");
    expect(upgrade).toContain("grep -m1 '^5:28.5.1-'");
    expect(upgrade).toContain(
      'apt-get install -y -q --allow-downgrades "docker-ce=$PKG_VERSION" "docker-ce-cli=$PKG_VERSION"',
    );
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

  it("deletes the cluster and reads its kubeconfig", () => {
    expect(renderK3dDeleteScript("staging")).toContain("then $SUDO k3d cluster delete staging; fi");
    expect(renderK3dKubeconfigScript("staging")).toContain("$SUDO k3d kubeconfig get staging");
  });
});

describe("every rendered script is valid sh", () => {
  const config = productionConfig({
    hosts: [piHost(1), piHost(2), piHost(3), { ...piHost(4, "agent"), labels: { "a.b/c": "it's" } }],
  });
  const scripts: Record<string, string> = {
    prepare: renderPrepareScript(piHost(1), "arm64", true),
    ...Object.fromEntries(
      planK3sNodes(config.hosts).map((n) => [
        `install ${n.host.name}`,
        renderInstallScript(config, n, "v1.33.5+k3s1"),
      ]),
    ),
    drain: renderDrainScript("cm5-2"),
    uninstall: renderUninstallScript(),
    kubeconfig: renderReadKubeconfigScript(),
    docker: renderDockerInstallScript("28.5.1", "amd64"),
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
  // shellcheck is installed by .ci/run (Debian package); the check is skipped, loudly, without it.
  const shellcheck = spawnSync("shellcheck", ["--version"]).status === 0;
  (shellcheck ? it.each(Object.entries(scripts)) : it.skip.each(Object.entries(scripts)))(
    "%s passes shellcheck",
    (_name, text) => {
      const result = spawnSync("shellcheck", ["-s", "sh", "-S", "warning", "-"], {
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
    expect(check({ k3d: { servers: 2, agents: 3 } })).toThrow(
      'ProxmoxK3dCluster "staging": config.k3d.servers is 2; embedded etcd needs an odd number: use 1 server or 3 or more (3, 5, 7)',
    );
    expect(check({ k3d: { servers: 1, agents: -1 } })).toThrow(
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
});
