/** The components' type tokens are defined in the policy pack (it must build on its own) and re-exported here. */
export { COMPONENT_TYPES } from "../policy/componentTypes";
