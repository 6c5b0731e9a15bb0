import { AppListToJSON, AppToJSON } from '@apps-api/client';
import { type Command, type Context, PAGE_OPTIONS, integer, optionalText, text } from '../context.js';
import { type Result, fields, table } from '../output.js';

async function list(context: Context): Promise<Result> {
  const org = optionalText(context, 'org');
  const page = await context.client().app.listApps({
    ...(org === undefined ? {} : { org_id: org }),
    page: integer(context, 'page'),
    limit: integer(context, 'limit'),
  });
  const rows = page.data.map((a) => [a.app_id, a.name, a.last_version, a.owner_org]);
  return {
    value: AppListToJSON(page),
    text: `${table(['app_id', 'name', 'last_version', 'owner_org'], rows)}\n${page.data.length} of ${page.total} apps (page ${page.page})`,
  };
}

async function create(context: Context): Promise<Result> {
  const [appId = ''] = context.positionals;
  const icon = optionalText(context, 'icon');
  const app = await context.client().app.createApp({
    body: { app_id: appId, name: text(context, 'name'), owner_org: text(context, 'org'), ...(icon ? { icon } : {}) },
  });
  const { id, name, owner_org, retention, created_at } = app;
  return {
    value: AppToJSON(app),
    text: `created app ${app.app_id}\n${fields({ id, name, owner_org, retention, created_at })}`,
  };
}

export const appCommands: Command[] = [
  {
    words: ['app', 'list'],
    positionals: [],
    summary: 'List the apps the key can see, newest first.',
    options: {
      org: { type: 'string', placeholder: 'org_id', description: 'only the apps of this organization' },
      ...PAGE_OPTIONS,
    },
    run: list,
  },
  {
    words: ['app', 'create'],
    positionals: ['<app_id>'],
    summary: 'Create an app (its id in reverse-domain form, such as com.example.app).',
    options: {
      name: { type: 'string', placeholder: 'name', required: true, description: 'display name' },
      org: { type: 'string', placeholder: 'org_id', required: true, description: 'the organization that will own it' },
      icon: { type: 'string', placeholder: 'url', description: 'icon URL' },
    },
    run: create,
  },
];
