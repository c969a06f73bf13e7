import * as assert from "assert";
import { createHash } from "crypto";
import { roleAssignmentGuid } from "../lib/naming";
import { evaluateRealStack, ofType, REAL_STACKS } from "./support/stacks";

const SCOPE = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-iotfleet-prod-weu";
const PRINCIPAL = "11111111-1111-4111-8111-111111111111";
const ROLE =
    "/subscriptions/00000000-0000-4000-8000-000000000000/providers/Microsoft.Authorization/roleDefinitions/b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("role assignment names", () => {
    it("gives the same scope, principal and role the same version-5 GUID every time", () => {
        const name = roleAssignmentGuid(SCOPE, PRINCIPAL, ROLE);
        assert.match(name, GUID);
        assert.strictEqual(roleAssignmentGuid(SCOPE, PRINCIPAL, ROLE), name);
        assert.strictEqual(roleAssignmentGuid(SCOPE.toUpperCase(), PRINCIPAL.toUpperCase(), ROLE), name, "ARM ids are case-insensitive");
    });

    it("gives another GUID when any one of scope, principal or role differs, or the parts shift between them", () => {
        const names = [
            roleAssignmentGuid(SCOPE, PRINCIPAL, ROLE),
            roleAssignmentGuid(`${SCOPE}/providers/Microsoft.KeyVault/vaults/kv`, PRINCIPAL, ROLE),
            roleAssignmentGuid(SCOPE, "22222222-2222-4222-8222-222222222222", ROLE),
            roleAssignmentGuid(SCOPE, PRINCIPAL, ROLE.replace("b86a8fe4", "4633458b")),
            roleAssignmentGuid(`${SCOPE}a`, "b", ROLE),
            roleAssignmentGuid(SCOPE, "ab", ROLE),
        ];
        assert.strictEqual(new Set(names).size, names.length);
        names.forEach(name => assert.match(name, GUID));
    });

    it("is the RFC 4122 name-based UUID (SHA-1) of the three in iot-fleet's namespace", () => {
        const namespace = Buffer.from("5d1b3a0e7f394c2e9a613f0d2c8b4e17", "hex");
        const hash = createHash("sha1")
            .update(namespace)
            .update(JSON.stringify([SCOPE, PRINCIPAL, ROLE].map(p => p.toLowerCase())))
            .digest("hex");
        assert.strictEqual(roleAssignmentGuid(SCOPE, PRINCIPAL, ROLE).replace(/-/g, "").slice(0, 12), hash.slice(0, 12));
    });

    for (const stack of REAL_STACKS) {
        it(`names every role assignment of ${stack} after its scope, principal and role, each name once`, async () => {
            const assignments = ofType(await evaluateRealStack(stack), "azure-native:authorization:RoleAssignment");
            assert.ok(assignments.length > 10);
            for (const assignment of assignments) {
                const { scope, principalId, roleDefinitionId, roleAssignmentName } = assignment.inputs;
                assert.strictEqual(
                    roleAssignmentName,
                    roleAssignmentGuid(scope, principalId, roleDefinitionId),
                    `${assignment.urn} has a random name`,
                );
            }
            assert.strictEqual(new Set(assignments.map(a => a.inputs.roleAssignmentName)).size, assignments.length);
        });
    }
});
