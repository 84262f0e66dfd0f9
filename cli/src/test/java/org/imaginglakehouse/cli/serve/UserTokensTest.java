package org.imaginglakehouse.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.imaginglakehouse.core.LakehouseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserTokensTest {
  private static String hash(String token) {
    return HexFormat.of().formatHex(UserTokens.sha256(token));
  }

  @Test
  void aTokenNamesItsUserAndNothingElseDoes(@TempDir Path dir) throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("users"),
            "# analysts\n\nalice:"
                + hash("a-secret")
                + "\n bob : "
                + hash("b-secret").toUpperCase()
                + "\n");
    UserTokens users = UserTokens.read(file);
    assertThat(users.users()).containsExactly("alice", "bob");
    assertThat(users.userOf("a-secret")).contains("alice");
    assertThat(users.userOf("b-secret")).contains("bob");
    assertThat(users.userOf("a-secretx")).isEmpty();
    assertThat(users.userOf("")).isEmpty();
    assertThat(users.userOf(null)).isEmpty();
  }

  @Test
  void badFilesAreRefusedWithTheLineAndNeverEchoTheHash() {
    String plain = "alice:the-token-itself";
    assertThatThrownBy(() -> UserTokens.parse(List.of(plain), "f"))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("f line 1")
        .hasMessageContaining("not the token itself")
        .hasMessageNotContaining("the-token-itself");
    assertThatThrownBy(() -> UserTokens.parse(List.of("Alice:" + hash("x")), "f"))
        .hasMessageContaining("user name 'Alice' must be lower-case");
    assertThatThrownBy(() -> UserTokens.parse(List.of("a:" + hash("x"), "a:" + hash("y")), "f"))
        .hasMessageContaining("f line 2: user a is listed twice");
    assertThatThrownBy(() -> UserTokens.parse(List.of("a:" + hash("x"), "b:" + hash("x")), "f"))
        .hasMessageContaining("two users have the same token");
    assertThatThrownBy(() -> UserTokens.parse(List.of("# nobody"), "f"))
        .hasMessageContaining("lists no users");
    assertThatThrownBy(() -> UserTokens.parse(List.of("just-a-token"), "f"))
        .hasMessageContaining("is not 'user:sha256-of-token'")
        .hasMessageNotContaining("just-a-token");
  }
}
