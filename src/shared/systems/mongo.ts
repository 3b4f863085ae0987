import { z } from 'zod'
import { endpointBase, viaSsh } from '../primitives'

export const MongoEndpoint = z.object({
  ...endpointBase,
  ...viaSsh,
  kind: z.literal('mongo'),
  uri: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'a mongodb:// or mongodb+srv:// URI')
    .refine((u) => !/^mongodb(\+srv)?:\/\/[^@/]*:[^@/]*@/.test(u), 'put the password in the password field, not in the URI'),
})
