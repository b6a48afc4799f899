/**
 * Valid baseline configs for tests, in the form the CLI hands them over (full keys).
 * Secret values are obviously fake.
 */

import { fakeOpenSshPrivateKey } from "../lib/ssh";
import { fakeHostKey } from "./cluster/k3s-fixtures";

/** A fake secret value, recognisable anywhere it leaks. */
export const FAKE = (name: string) => `fake-test-${name}-not-a-secret`;

/** A minimal valid cloud stack: one Talos cluster. */
export function cloudConfig(): Record<string, unknown> {
  return {
    "platform:shape": "cloud",
    "platform:clusters": {
      prod: {
        kind: "talos-hcloud",
        engine: "argocd",
        domain: "example.org",
        git: { url: "https://git.example.org/platform.git", branch: "prod" },
        apiAllowedCidrs: ["current"],
        image: { selector: "os=talos" },
        nodePools: [
          { name: "control-plane", role: "controlplane", serverType: "cx22", count: 1 },
          { name: "worker", role: "worker", serverType: "cx32", count: 1 },
          {
            name: "autoscaler",
            role: "worker",
            serverType: "cx32",
            count: 0,
            autoscaler: { max: 2 },
            taints: ["autoscaler-node=true:NoSchedule"],
          },
        ],
        etcdBackup: { s3Endpoint: "https://s3.example.org", s3Region: "eu", s3Bucket: "etcd-backups" },
        // Mastodon publishes routes through the shared Gateway (cilium-gateway).
        services: [
          "cert-manager",
          "cloudnative-pg",
          "external-secrets",
          "victoria-metrics",
          "cilium-gateway",
        ],
        apps: ["mastodon"],
      },
    },
    "platform:hcloudToken": FAKE("hcloud"),
    "platform:cloudflareApiToken": FAKE("cloudflare"),
    "platform:etcdBackupS3AccessKeyId": FAKE("s3-id"),
    "platform:etcdBackupS3SecretAccessKey": FAKE("s3-key"),
  };
}

/** A minimal valid homelab stack: three-server K3s and a k3d VM. */
export function homelabConfig(): Record<string, unknown> {
  return {
    "platform:shape": "homelab",
    "platform:clusters": {
      production: {
        kind: "k3s",
        engine: "flux",
        domain: "home.example.org",
        git: { url: "https://git.example.org/homelab.git", branch: "main" },
        architecture: "arm64",
        vip: "10.0.40.100",
        loadBalancerPool: "10.0.40.100-10.0.40.119",
        apiVip: "10.0.40.99",
        sshUser: "pi",
        hosts: [
          { name: "node-1", address: "10.0.40.101", role: "server", hostKey: fakeHostKey("node-1") },
          { name: "node-2", address: "10.0.40.102", role: "server", hostKey: fakeHostKey("node-2") },
          { name: "node-3", address: "10.0.40.103", role: "server", hostKey: fakeHostKey("node-3") },
        ],
        services: ["cert-manager", "cloudnative-pg", "longhorn", "metallb", "synology-nfs"],
        serviceSettings: { "synology-nfs": { nfs: { server: "nas.example.org", share: "/volume1/k8s" } } },
        apps: ["immich", "linkding"],
        appSettings: { immich: { library: { server: "nas.example.org", path: "/volume1/photos" } } },
      },
      staging: {
        kind: "k3d-proxmox",
        engine: "flux",
        delivery: "emit",
        domain: "staging.example.org",
        git: { url: "https://git.example.org/homelab.git", branch: "main" },
        proxmox: { endpoint: "https://10.0.40.50:8006/", node: "pve", templateVmId: 9000, vmId: 152 },
        vm: {
          address: "10.0.40.52/24",
          gateway: "10.0.40.1",
          sshUser: "ubuntu",
        },
        services: [],
        // An app with no needs: Homepage now publishes a route, which on k3d needs cert-manager.
        apps: ["redis"],
      },
    },
    // Structurally valid but fake, so the k3d VM can get its public half.
    "platform:sshPrivateKey": fakeOpenSshPrivateKey(FAKE("ssh")),
    "platform:cloudflareApiToken": FAKE("cloudflare"),
    "platform:proxmoxApiToken": FAKE("proxmox"),
  };
}

/** The secret keys among a config's keys (those holding fake values). */
export function secretKeysOf(config: Record<string, unknown>): string[] {
  return Object.keys(config).filter(
    (k) =>
      typeof config[k] === "string" &&
      (String(config[k]).startsWith("fake-test-") || String(config[k]).startsWith("-----BEGIN OPENSSH")),
  );
}
