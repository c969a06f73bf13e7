import * as crypto from "crypto";
import * as fs from "fs";

/** Shorter tokens are refused at start-up: a bearer token is the only thing between a caller and the fleet. */
export const MIN_TOKEN_LENGTH = 16;
/** Tokens whose estimated entropy is lower are refused at start-up (a random 32-character hex string has about 120). */
export const MIN_TOKEN_ENTROPY_BITS = 96;

/**
 * An estimate of a token's entropy: its length times the Shannon entropy of its own character
 * frequencies. It cannot tell a random token from a clever pattern, but it refuses what people type:
 * `aaaaaaaaaaaaaaaa` has 0 bits, `passwordpassword` 44, `correcthorsebatterystaple` 84.
 */
export function tokenEntropyBits(token: string): number {
    const counts = new Map<string, number>();
    for (const char of token) {
        counts.set(char, (counts.get(char) ?? 0) + 1);
    }
    const length = [...token].length;
    const perChar = [...counts.values()].reduce((sum, n) => sum - (n / length) * Math.log2(n / length), 0);
    return perChar * length;
}

/** Whether the token is a shorter string repeated (`abcdefghabcdefgh`), which the estimate above misses. */
const isRepetition = (token: string): boolean => `${token}${token}`.indexOf(token, 1) < token.length;

export class TokenConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "TokenConfigError";
    }
}

/**
 * The service's bearer token: `PROVISIONER_TOKEN`, or the first line of the file `PROVISIONER_TOKEN_FILE`
 * names (a mounted secret). Throws when neither (or both) is set: the service must not start open.
 */
export function loadToken(env: NodeJS.ProcessEnv = process.env): string {
    const fromEnv = env.PROVISIONER_TOKEN;
    const file = env.PROVISIONER_TOKEN_FILE;
    if (fromEnv && file) {
        throw new TokenConfigError("both PROVISIONER_TOKEN and PROVISIONER_TOKEN_FILE are set; set one of them");
    }
    let token: string | undefined = fromEnv;
    if (file) {
        try {
            token = fs.readFileSync(file, "utf8").split(/\r?\n/)[0];
        } catch (err) {
            throw new TokenConfigError(
                `cannot read PROVISIONER_TOKEN_FILE ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
            );
        }
    }
    if (!token) {
        throw new TokenConfigError(
            "no API token configured: set PROVISIONER_TOKEN, or PROVISIONER_TOKEN_FILE to a file holding it; the service does not run without one",
        );
    }
    token = token.trim();
    if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
        throw new TokenConfigError(
            `the API token must be at least ${MIN_TOKEN_LENGTH} characters without spaces; use a long random one (openssl rand -hex 32)`,
        );
    }
    const bits = tokenEntropyBits(token);
    if (bits < MIN_TOKEN_ENTROPY_BITS || isRepetition(token)) {
        throw new TokenConfigError(
            `the API token is too easy to guess (${isRepetition(token) ? "a shorter string repeated" : `about ${Math.floor(bits)} bits of entropy`}; ` +
                `at least ${MIN_TOKEN_ENTROPY_BITS} are needed): use a generated one (openssl rand -hex 32)`,
        );
    }
    return token;
}

const digest = (value: string) => crypto.createHash("sha256").update(value, "utf8").digest();

/**
 * Checks an `Authorization` header against the token in constant time: both sides are hashed first,
 * so the comparison neither stops at the first differing byte nor reveals the token's length.
 */
export function bearerTokenChecker(token: string): (authorization: string | undefined) => boolean {
    const expected = digest(token);
    return authorization => {
        const given = /^Bearer ([^\s]+)\s*$/i.exec(authorization ?? "")?.[1] ?? "";
        return crypto.timingSafeEqual(expected, digest(given)) && given !== "";
    };
}
