package dev.appsapi.check;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appsapi.client.ApiClient;
import dev.appsapi.client.ApiException;
import dev.appsapi.client.api.AppApi;
import dev.appsapi.client.model.App;
import dev.appsapi.client.model.AppList;
import dev.appsapi.client.model.CreateAppBody;
import dev.appsapi.client.model.ErrorBody;
import dev.appsapi.client.model.ErrorCode;
import dev.appsapi.client.model.StatusOk;
import dev.appsapi.client.model.UpdateAppBody;
import java.util.UUID;

/**
 * What a Java team would write against the generated client: create, read, list, update and
 * delete an app, and read a refusal as a typed {@link ErrorBody}. Prints one line per step; the
 * test compares them with what the server holds.
 *
 * <p>Environment: APPS_API_URL, APPS_API_KEY, APPS_API_ORG (the owner org) and APPS_API_APP (the
 * app id to create).
 */
public final class JavaClientCheck {
  private JavaClientCheck() {}

  public static void main(String[] args) throws Exception {
    String baseUrl = require("APPS_API_URL");
    String key = require("APPS_API_KEY");
    UUID org = UUID.fromString(require("APPS_API_ORG"));
    String appId = require("APPS_API_APP");

    ApiClient client = new ApiClient();
    client.updateBaseUri(baseUrl);
    // The native library has no API-key support of its own; any of the document's key headers will do.
    client.setRequestInterceptor(request -> request.header("authorization", "Bearer " + key));
    AppApi apps = new AppApi(client);

    App created =
        apps.createApp(
            new CreateAppBody().appId(appId).name("Java check").icon("https://example.com/java.png").ownerOrg(org));
    System.out.println("created " + created.getAppId() + " name=" + created.getName() + " retention="
        + created.getRetention() + " owner=" + created.getOwnerOrg());

    App read = apps.getApp(appId);
    System.out.println("got " + read.getAppId() + " id=" + read.getId() + " icon=" + read.getIconUrl());

    AppList page = apps.listApps(0, 10, org);
    System.out.println("listed total=" + page.getTotal() + " first=" + page.getData().get(0).getAppId());

    // Only the fields set are sent: the icon is left as it is.
    App updated = apps.updateApp(appId, new UpdateAppBody().name("Java check 2").retention(3600));
    System.out.println("updated name=" + updated.getName() + " retention=" + updated.getRetention() + " icon="
        + updated.getIconUrl());

    ErrorBody taken = refusal(client.getObjectMapper(), () -> apps.createApp(
        new CreateAppBody().appId(appId.toUpperCase()).name("Again").ownerOrg(org)));
    System.out.println("refused " + taken.getCode() + " \"" + taken.getError() + "\" is409="
        + (taken.getCode() == ErrorCode.APP_ID_TAKEN));

    StatusOk deleted = apps.deleteApp(appId);
    System.out.println("deleted " + deleted.getStatus());

    ErrorBody gone = refusal(client.getObjectMapper(), () -> apps.getApp(appId));
    System.out.println("gone " + gone.getCode() + " \"" + gone.getError() + "\"");
  }

  private interface Call {
    Object run() throws ApiException;
  }

  /** The error envelope of a call that must be refused, read into the generated type. */
  private static ErrorBody refusal(ObjectMapper mapper, Call call) throws Exception {
    try {
      call.run();
    } catch (ApiException e) {
      ErrorBody body = mapper.readValue(e.getResponseBody(), ErrorBody.class);
      System.out.println("status " + e.getCode() + " request_id=" + body.getRequestId()
          + " header=" + e.getResponseHeaders().firstValue("x-request-id").orElse(""));
      return body;
    }
    throw new IllegalStateException("expected the call to be refused");
  }

  private static String require(String name) {
    String value = System.getenv(name);
    if (value == null || value.isEmpty()) {
      System.err.println(name + " is not set");
      System.exit(2);
    }
    return value;
  }
}
