/**
 * Shapes of credentials, in a leaf file that imports nothing: the pack's no-plaintext-secrets and the program's
 * config check (a repository URL that carries a token) recognise credentials by the same patterns.
 */

/** Shapes of credentials that must never be literal values in Kubernetes objects or chart values. */
export const SECRET_PATTERNS: readonly { readonly what: string; readonly pattern: RegExp }[] = [
    { what: "a storage or Cosmos DB account key", pattern: /AccountKey=[^;\s]+/i },
    { what: "a Service Bus, Event Hubs or IoT Hub shared access key", pattern: /SharedAccessKey=[^;\s]+/i },
    { what: "an Application Insights connection string", pattern: /InstrumentationKey=[0-9a-f-]{36}/i },
    { what: "a SAS token", pattern: /[?&]sig=[A-Za-z0-9%+/=]{20,}/ },
    { what: "a password in a connection string", pattern: /(^|;)\s*Password=[^;\s]+/i },
    { what: "a private key", pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
    { what: "a user and password in a URL", pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:[^\s@/]+@/i },
    // Git hosts take a token as an HTTPS URL's user name (https://<token>@github.com/...).
    { what: "a token in an HTTPS URL's user part", pattern: /\bhttps:\/\/[^\s:@/?#]+@/i },
    { what: "a token in a URL's query", pattern: /\b[a-z][a-z0-9+.-]*:\/\/\S*[?&](token|access_token|password)=[^&\s]+/i },
];

/**
 * Whether a URL carries a credential (a password or token in its user part or query) that would then sit in the
 * stack file, the state and every resource the URL reaches: ssh's bare `git@` user is no credential. The config
 * check refuses `gitops.repositoryUrl` by it, and no-plaintext-secrets flags such a URL wherever it appears.
 */
export const urlCarriesCredential = (url: string): boolean => SECRET_PATTERNS.some(s => /URL|SAS/.test(s.what) && s.pattern.test(url));
