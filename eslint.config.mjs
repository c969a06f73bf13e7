// ESLint: typescript-eslint's recommended rules, and Pulumi's own rules against an Output in a plain template
// literal (it prints "Calling [toString] on an [Output<T>] is not supported" instead of the value). Those need the
// type checker, so the whole tree is linted with type information from tsconfig.json.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

export default tseslint.config(
    { ignores: ["node_modules/", "policy/node_modules/", "bin/", "**/*.js", "**/*.mjs"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            // Destructuring a key away to drop it names it `_key`; tsc's noUnused* already checks the rest.
            "@typescript-eslint/no-unused-vars": [
                "error",
                { varsIgnorePattern: "^_", argsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
            ],
        },
    },
    {
        // Values on the engine's wire (the mock monitor's requests, recorded inputs and outputs, stack files read in
        // tests) are untyped JSON whose shape each test asserts; typing them would only restate the assertions.
        files: ["offline/evaluate.ts", "offline/recordingMonitor.ts", "offline/mockCloud.ts", "test/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
