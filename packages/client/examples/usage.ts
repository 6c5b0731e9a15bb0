import { ApiError, createClient } from '@apps-api/client';

/** Creates an app, changes it, lists it, meets a typed error, then deletes the app. */
export async function example(baseUrl: string, apiKey: string, orgId: string) {
  const client = createClient({ baseUrl, apiKey });

  const app = await client.app.createApp({
    body: { app_id: 'com.example.notes', name: 'Notes', owner_org: orgId },
  });
  const updated = await client.app.updateApp({
    app_id: app.app_id,
    body: { name: 'Notes 2', retention: 7 * 24 * 3600 }, // retention is in seconds
  });
  const page = await client.app.listApps({ org_id: orgId, limit: 10 });

  let refusal = '';
  try {
    await client.app.createApp({ body: { app_id: 'com.Example.Notes', name: 'Again', owner_org: orgId } });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    refusal = `${error.status} ${error.code}: ${error.error}`; // 409 app_id_taken: Custom ID already in use
  }

  await client.app.deleteApp({ app_id: app.app_id });
  return { name: updated.name, retention: updated.retention, listed: page.total, refusal };
}
