package io.astro.testkit.kube;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.io.IOException;
import okhttp3.Call;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * What the simulator keeps of a write's answer: the object's new {@code resourceVersion} and {@code
 * generation}. It writes a status or a replica count into an object it already holds, and needs
 * only these to write that object again; reading them alone spares decoding the whole object into a
 * model (with a ReplicaSet's or a pod's template), which was the larger part of the simulator's
 * CPU.
 */
record Written(String resourceVersion, Long generation) {

  /** Sends the write and reads the two fields of its answer; a refusal as the client throws it. */
  static Written send(Call call) throws ApiException {
    try (Response response = call.execute()) {
      ResponseBody body = response.body();
      if (!response.isSuccessful()) {
        throw new ApiException(
            response.message(),
            response.code(),
            response.headers().toMultimap(),
            body == null ? null : body.string());
      }
      return body == null ? new Written(null, null) : read(new JsonReader(body.charStream()));
    } catch (IOException e) {
      throw new ApiException(e);
    }
  }

  /** Sets the object's version and generation to what the write left. */
  void applyTo(V1ObjectMeta metadata) {
    metadata.setResourceVersion(resourceVersion);
    metadata.setGeneration(generation);
  }

  private static Written read(JsonReader json) throws IOException {
    json.beginObject();
    while (json.hasNext()) {
      if (json.nextName().equals("metadata")) {
        return readMetadata(json);
      }
      json.skipValue();
    }
    return new Written(null, null);
  }

  private static Written readMetadata(JsonReader json) throws IOException {
    String version = null;
    Long generation = null;
    json.beginObject();
    while (json.hasNext()) {
      String field = json.nextName();
      if (field.equals("resourceVersion") && json.peek() == JsonToken.STRING) {
        version = json.nextString();
      } else if (field.equals("generation") && json.peek() == JsonToken.NUMBER) {
        generation = json.nextLong();
      } else {
        json.skipValue();
      }
    }
    return new Written(version, generation);
  }
}
