import type { Rule } from 'eslint'

export const layering: Rule.RuleModule
export const ipcOwners: Rule.RuleModule
