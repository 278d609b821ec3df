import { createContext } from "react";
import { SYSTEM_VARIABLES } from "./variables";

/** The variables `${` completion offers in every template field of the open config form. */
export const VariablesContext = createContext<readonly string[]>(SYSTEM_VARIABLES);
