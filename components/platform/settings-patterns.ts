/** Value patterns the service settings parsers share (each with what the error says it expects). */

export const DURATION = { pattern: /^\d+[hdwy]$/, expected: "a retention such as 14d, 4w or 1y" };

export const QUANTITY = { pattern: /^\d+(Mi|Gi|Ti)$/, expected: "a volume size such as 20Gi" };

export const CRON = {
  pattern: /^((\S+\s+){4}\S+|@(hourly|daily|weekly))$/,
  expected: "a cron schedule such as @hourly or 0 * * * *",
};

export const GO_DURATION = { pattern: /^\d+(s|m|h)$/, expected: "a duration such as 5m" };

export const IMAGE = {
  pattern: /^[a-z0-9./-]+:[A-Za-z0-9._-]+@sha256:[0-9a-f]{64}$/,
  expected: "image:tag@sha256:digest",
};

export const VERSION = { pattern: /^v?\d+\.\d+\.\d+$/, expected: "an exact chart version such as 1.2.3" };

export const HOST_URL = { pattern: /^https?:\/\/[^\s/]+(:\d+)?(\/\S*)?$/, expected: "an http(s):// URL" };

export const UUID = {
  pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  expected: "a UUID from the Bitwarden web vault",
};

export const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

export const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export const K8S_QUANTITY = /^\d+(Mi|Gi|Ti)$/;

/** CNPG `ScheduledBackup.spec.schedule`: six fields, seconds first (Go robfig/cron). */
export const SIX_FIELD_CRON = /^\S+ \S+ \S+ \S+ \S+ \S+$/;

/** Barman retention policy: `<n>d`, `<n>w` or `<n>m` (plugin-barman-cloud docs, "Retention Policies"). */
export const RETENTION = /^[1-9]\d*[dwm]$/;

export const RFC3339 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
