import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { isHttpUrl } from './app.contract.js';
import { AuthHeaders, ONE_OF_NOTE, StatusOk, authErrorResponses, bodyErrorResponses } from './common.js';
import { ErrorBody } from './errors.js';

const c = initContract();

/** Member roles, lowest first: each includes the rights of those before it. */
export const ROLES = ['read', 'upload', 'write', 'admin', 'super_admin'] as const;

export const Role = z
  .enum(ROLES)
  .describe('Member role; ranks `read < upload < write < admin < super_admin`, each including the ones below.');

export const Email = z
  .string()
  .trim()
  .max(320, 'Must be at most 320 characters')
  .regex(/^[^\s@]+@[^\s@]+$/, 'Must be an e-mail address');

const OrgId = z.string().uuid('Must be a UUID').describe('Organization id.');

const OrgName = z
  .string()
  .trim()
  .min(3, 'Must be at least 3 characters')
  .max(255, 'Must be at most 255 characters')
  .describe('Organization name, 3–255 characters, stored trimmed.');

const Logo = z
  .string()
  .max(2048, 'Must be at most 2048 characters')
  .refine(isHttpUrl, 'Must be an http(s) URL')
  .nullable()
  .describe('Logo URL, http(s), at most 2048 characters; null removes the logo.');

export const Org = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    management_email: z.string().describe('Contact address of the organization.'),
    logo: z.string().nullable().describe('Logo URL, or null.'),
    created_by: z.string().uuid().describe('The user who created the organization.'),
    created_at: z.string().datetime().describe('ISO-8601 creation time.'),
    updated_at: z.string().datetime().describe('ISO-8601 time of the last change.'),
  })
  .describe('An organization: it owns apps and has members.');

export const OrgList = z.object({ data: z.array(Org) }).describe('The organizations the key may read.');

export const OrgListOrOrg = z
  .union([OrgList, Org])
  .describe(`\`OrgList\` without \`orgId\`, the one \`Org\` with it. ${ONE_OF_NOTE}`);

export const OrgQuery = z.object({
  orgId: OrgId.optional().describe('Return this one organization instead of the list.'),
});

export const OrgIdQuery = z.object({ orgId: OrgId });

export const CreateOrgBody = z
  .object({
    name: OrgName,
    email: Email.optional().describe("Becomes `management_email`; default: the caller's e-mail address."),
  })
  .strict()
  .describe('Unknown fields are rejected with 400.');

export const CreatedOrg = z.object({ id: z.string().uuid().describe('Id of the new organization.') });

export const UpdateOrgBody = z
  .object({
    orgId: OrgId,
    name: OrgName.optional(),
    logo: Logo.optional(),
    management_email: Email.optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 1, {
    message: 'At least one of name, logo, management_email is required',
  })
  .describe('`orgId` and at least one field to change. Unknown fields are rejected with 400.');

export const UpdatedOrg = z.object({
  status: z.literal('ok'),
  id: z.string().uuid(),
  data: Org,
});

export const Member = z
  .object({
    uid: z.string().uuid().describe('User id.'),
    email: z.string().describe('E-mail address, lower-cased.'),
    role: Role,
  })
  .describe('A member of an organization.');

export const MemberList = z.object({ data: z.array(Member) }).describe('Members, ordered by e-mail address.');

export const AddMemberBody = z
  .object({
    orgId: OrgId,
    email: Email.describe('E-mail of the user to add, compared case-insensitively; the user is created when new.'),
    invite_type: Role.describe('Role to give.'),
  })
  .strict()
  .describe('Unknown fields are rejected with 400.');

export const RemoveMemberQuery = z.object({
  orgId: OrgId,
  email: Email.describe('E-mail of the member to remove, compared case-insensitively.'),
});

export type Role = z.infer<typeof Role>;
export type Org = z.infer<typeof Org>;
export type CreateOrgBody = z.infer<typeof CreateOrgBody>;
export type UpdateOrgBody = z.infer<typeof UpdateOrgBody>;
export type Member = z.infer<typeof Member>;
export type AddMemberBody = z.infer<typeof AddMemberBody>;

const APP_LIMITED_KEYS =
  'A key with `limited_to_apps` works on those apps only: it may read organizations and members but change neither (403 `insufficient_permissions`).';

const orgDenied = ErrorBody.describe(
  'The key may not read this organization, or it does not exist (`org_access_denied`); the two are not told apart.',
);

export const organizationContract = c.router(
  {
    getOrganizations: {
      method: 'GET',
      path: '/organization',
      query: OrgQuery,
      summary: 'List organizations, or get one',
      description:
        "Without `orgId`: `{data: Org[]}`, every organization the key may read (the user's memberships narrowed by the key's `limited_to_orgs`), oldest first. With `orgId`: that one Org; 403 when the key may not read it, whether or not it exists.",
      responses: {
        200: OrgListOrOrg,
        400: ErrorBody.describe('Invalid query (`invalid_parameters`).'),
        403: orgDenied,
        ...authErrorResponses,
      },
    },
    createOrganization: {
      method: 'POST',
      path: '/organization',
      body: CreateOrgBody,
      summary: 'Create an organization',
      description:
        'The caller becomes its `super_admin`. Only an unrestricted key may create organizations: mode `all`, no `limited_to_orgs` and no `limited_to_apps` (otherwise 403 `insufficient_permissions`). Answers 201 `{id}`.',
      responses: {
        201: CreatedOrg,
        400: ErrorBody.describe('Invalid body or unknown field (`invalid_parameters`).'),
        403: ErrorBody.describe('The key is not unrestricted (`insufficient_permissions`).'),
        ...bodyErrorResponses,
        ...authErrorResponses,
      },
    },
    updateOrganization: {
      method: 'PUT',
      path: '/organization',
      body: UpdateOrgBody,
      summary: 'Update an organization',
      description: `Changes \`name\`, \`logo\` and/or \`management_email\`. Needs \`admin\`. \`updated_at\` advances on every update. Answers \`{status: "ok", id, data: Org}\`. ${APP_LIMITED_KEYS}`,
      responses: {
        200: UpdatedOrg,
        400: ErrorBody.describe('Invalid body or unknown field (`invalid_parameters`).'),
        403: ErrorBody.describe(
          'Organization not readable (`org_access_denied`), or readable but the key is not `admin` (`insufficient_permissions`).',
        ),
        ...bodyErrorResponses,
        ...authErrorResponses,
      },
    },
    deleteOrganization: {
      method: 'DELETE',
      path: '/organization',
      query: OrgIdQuery,
      body: c.noBody(),
      summary: 'Delete an organization',
      description: `Deletes the organization, its apps (with everything that belongs to them) and its memberships, in one transaction; cannot be undone. Needs \`super_admin\`. Keys limited to this organization stay limited to it, so they reach nothing afterwards. ${APP_LIMITED_KEYS}`,
      responses: {
        200: StatusOk,
        400: ErrorBody.describe('Invalid query (`invalid_parameters`).'),
        403: ErrorBody.describe(
          'Organization not readable (`org_access_denied`), or readable but the key is not `super_admin` (`insufficient_permissions`).',
        ),
        ...authErrorResponses,
      },
    },
    listMembers: {
      method: 'GET',
      path: '/organization/members',
      query: OrgIdQuery,
      summary: 'List members',
      description: 'Every member with their role, ordered by e-mail address. Needs `read`.',
      responses: {
        200: MemberList,
        400: ErrorBody.describe('Invalid query (`invalid_parameters`).'),
        403: orgDenied,
        ...authErrorResponses,
      },
    },
    addMember: {
      method: 'POST',
      path: '/organization/members',
      body: AddMemberBody,
      summary: 'Add a member, or change a role',
      description: `Adds the user (created when new; no e-mail is sent) with the role \`invite_type\`: 201. When the user already is a member, their role becomes \`invite_type\`: 200. Needs \`admin\`. Nobody grants a role above their own (only a \`super_admin\` grants \`super_admin\`) or changes the role of a member ranked above them (403 \`insufficient_permissions\`). Demoting the last \`super_admin\` is refused with 409 \`last_super_admin\`. ${APP_LIMITED_KEYS}`,
      responses: {
        200: Member,
        201: Member,
        400: ErrorBody.describe('Invalid body or unknown field (`invalid_parameters`).'),
        403: ErrorBody.describe(
          'Organization not readable (`org_access_denied`), or the key is not `admin`, or the role is above its own (`insufficient_permissions`).',
        ),
        409: ErrorBody.describe('The change would leave no `super_admin` (`last_super_admin`).'),
        ...bodyErrorResponses,
        ...authErrorResponses,
      },
    },
    removeMember: {
      method: 'DELETE',
      path: '/organization/members',
      query: RemoveMemberQuery,
      body: c.noBody(),
      summary: 'Remove a member',
      description: `Removes the membership (the user and their keys remain; the keys lose access to this organization at once). Needs \`admin\`; a member ranked above the caller cannot be removed (403 \`insufficient_permissions\`). Removing yourself (leaving) is allowed, except for the last \`super_admin\` (409 \`last_super_admin\`). ${APP_LIMITED_KEYS}`,
      responses: {
        200: StatusOk,
        400: ErrorBody.describe('Invalid query (`invalid_parameters`).'),
        403: ErrorBody.describe(
          'Organization not readable (`org_access_denied`), or the key is not `admin`, or the member ranks above it (`insufficient_permissions`).',
        ),
        404: ErrorBody.describe('No member with this e-mail in the organization (`member_not_found`).'),
        409: ErrorBody.describe('The member is the last `super_admin` (`last_super_admin`).'),
        ...authErrorResponses,
      },
    },
  },
  { baseHeaders: AuthHeaders, strictStatusCodes: true },
);
