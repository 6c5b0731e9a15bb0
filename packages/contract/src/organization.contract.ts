import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import {
  AuthHeaders,
  authErrorResponses,
  bodyErrorResponses,
  integerQuery,
  isHttpUrl,
  LIMIT_REACHED,
  MAX_PAGE_SIZE,
  ONE_OF_NOTE,
  StatusOk,
} from './common.js';
import { ErrorBody } from './errors.js';

const c = initContract();

/** Member roles, lowest first: each includes the rights of those before it. */
export const ROLES = ['read', 'upload', 'write', 'admin', 'super_admin'] as const;

export const Role = z
  .enum(ROLES)
  .describe('Member role; ranks `read < upload < write < admin < super_admin`, each including the ones below.');

const MAX_EMAIL_LENGTH = 320;

/**
 * Addresses are compared and stored lower-cased, and lower-casing can lengthen a string
 * (`İ` becomes `i̇`): the length limit holds for the lower-cased form too.
 */
export const Email = z
  .string()
  .trim()
  .max(MAX_EMAIL_LENGTH, `Must be at most ${MAX_EMAIL_LENGTH} characters`)
  .regex(/^[^\s@]+@[^\s@]+$/, 'Must be an e-mail address')
  .refine(
    (email) => email.toLowerCase().length <= MAX_EMAIL_LENGTH,
    `Must be at most ${MAX_EMAIL_LENGTH} characters once lower-cased`,
  );

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

export const OrgList = z
  .object({ data: z.array(Org) })
  .describe(
    `The organizations the key may read, oldest first; at most ${MAX_PAGE_SIZE} (send \`page\` or \`limit\` for the rest).`,
  );

export const OrgPage = z
  .object({
    data: z.array(Org),
    page: z.number().int().describe('The 0-based page returned.'),
    limit: z.number().int().describe('The page size used.'),
    total: z.number().int().describe('Number of organizations the key may read, across all pages.'),
  })
  .describe('One page of the organizations the key may read, oldest first (when `page` or `limit` is sent).');

export const OrgListOrOrg = z
  .union([OrgPage, OrgList, Org])
  .describe(
    `\`OrgList\` without \`orgId\` (\`OrgPage\` when \`page\` or \`limit\` is sent), the one \`Org\` with it. ${ONE_OF_NOTE}`,
  );

export const OrgQuery = z.object({
  orgId: OrgId.optional().describe('Return this one organization instead of the list.'),
  page: integerQuery(0, 1_000_000)
    .optional()
    .describe('0-based page number, 0–1,000,000. Sending it (or `limit`) returns `{data, page, limit, total}`.'),
  limit: integerQuery(1, MAX_PAGE_SIZE)
    .optional()
    .describe(
      `Organizations per page, 1–${MAX_PAGE_SIZE}, default ${MAX_PAGE_SIZE}. Out of range is a 400, never clamped.`,
    ),
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

export const AcceptInvitationBody = z
  .object({ orgId: OrgId.describe('The organization whose invitation to accept.') })
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
export type AcceptInvitationBody = z.infer<typeof AcceptInvitationBody>;

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
      description: `Without \`orgId\`: \`{data: Org[]}\`, the organizations the key may read (the user's accepted memberships narrowed by the key's \`limited_to_orgs\`; pending invitations are left out), oldest first, at most ${MAX_PAGE_SIZE}. With \`page\` and/or \`limit\` it is paged like every list: \`{data, page, limit, total}\`. With \`orgId\`: that one Org; 403 when the key may not read it, whether or not it exists (\`page\` and \`limit\` are then ignored).`,
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
      description: `The caller becomes its \`super_admin\`. Only an unrestricted key may create organizations: mode \`all\`, no \`limited_to_orgs\` and no \`limited_to_apps\` (otherwise 403 \`insufficient_permissions\`). Answers 201 \`{id}\`. The organizations a user belongs to are capped: ${LIMIT_REACHED}`,
      responses: {
        201: CreatedOrg,
        400: ErrorBody.describe('Invalid body or unknown field (`invalid_parameters`).'),
        403: ErrorBody.describe('The key is not unrestricted (`insufficient_permissions`).'),
        409: ErrorBody.describe(
          'The user already belongs to the most organizations allowed (`limit_reached`, `details.limit` = `orgs_per_user`).',
        ),
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
      description:
        'Every member with their role, ordered by e-mail address, pending invitations included (an invitee appears with the role offered). Needs `read`.',
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
      summary: 'Add a member, invite an existing user, or change a role',
      description: `With the role \`invite_type\`, answering 201: an address no user has yet becomes a new user and a member at once (no e-mail is sent); an existing user is **invited**: the invitation grants them nothing and stays out of their lists until they accept it with a key of their own (\`POST /organization/members/accept\`), so nobody can put their organizations into someone else's account. When the user already is a member or invitee, their role becomes \`invite_type\`: 200. Needs \`admin\`. Nobody grants a role above their own (only a \`super_admin\` grants \`super_admin\`) or changes the role of a member ranked above them (403 \`insufficient_permissions\`). Demoting the last \`super_admin\` is refused with 409 \`last_super_admin\`. Members (invitations included) and pending invitations per organization are capped: ${LIMIT_REACHED} ${APP_LIMITED_KEYS}`,
      responses: {
        200: Member,
        201: Member,
        400: ErrorBody.describe('Invalid body or unknown field (`invalid_parameters`).'),
        403: ErrorBody.describe(
          'Organization not readable (`org_access_denied`), or the key is not `admin`, or the role is above its own (`insufficient_permissions`).',
        ),
        409: ErrorBody.describe(
          'The change would leave no `super_admin` (`last_super_admin`), or the organization is full (`limit_reached`, `details.limit` = `members_per_org` or `pending_invitations_per_org`).',
        ),
        ...bodyErrorResponses,
        ...authErrorResponses,
      },
    },
    acceptInvitation: {
      method: 'POST',
      path: '/organization/members/accept',
      body: AcceptInvitationBody,
      summary: 'Accept an invitation',
      description: `The caller's user accepts their pending invitation to \`orgId\` and becomes a member with the role offered: 200 Member. Joining widens every key of the user, so it needs an unrestricted key: mode \`all\`, no \`limited_to_orgs\`, no \`limited_to_apps\` (otherwise 403 \`insufficient_permissions\`). No pending invitation (none sent, already accepted, withdrawn, or no such organization) → 404 \`invitation_not_found\`. To decline, ask an admin of the organization to remove it (\`DELETE /organization/members\`). Organizations per user are capped: ${LIMIT_REACHED}`,
      responses: {
        200: Member,
        400: ErrorBody.describe('Invalid body or unknown field (`invalid_parameters`).'),
        403: ErrorBody.describe('The key is not unrestricted (`insufficient_permissions`).'),
        404: ErrorBody.describe('No pending invitation to this organization (`invitation_not_found`).'),
        409: ErrorBody.describe(
          'The user already belongs to the most organizations allowed (`limit_reached`, `details.limit` = `orgs_per_user`).',
        ),
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
      description: `Removes the membership or withdraws the invitation (the user and their keys remain; the keys lose access to this organization at once). Needs \`admin\`; a member ranked above the caller cannot be removed (403 \`insufficient_permissions\`). Removing yourself (leaving) is allowed, except for the last \`super_admin\` (409 \`last_super_admin\`). ${APP_LIMITED_KEYS}`,
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
