package dev.modelops.operator.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.observability.Event.Reason;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelRegistriesTest {

  @Test
  void aSpecNamesADeclaredRegistryOrTheOnlyOneIsTaken() {
    var two =
        new ModelRegistries(
            List.of("mlflow=http://mlflow.mlflow.svc:5000/", "team-b=https://mlflow.b.example"),
            List.of("mlflow=https://mlflow.example.com"));
    var mlflow = two.choose("mlflow").registry().orElseThrow();
    assertEquals(URI.create("http://mlflow.mlflow.svc:5000"), mlflow.base());
    assertEquals(Optional.of(URI.create("https://mlflow.example.com")), mlflow.ui());
    assertEquals(Optional.empty(), two.choose("team-b").registry().orElseThrow().ui());

    var one = new ModelRegistries(List.of("mlflow=http://10.88.0.1:5000"), List.of());
    assertEquals("mlflow", one.choose(null).registry().orElseThrow().name());
  }

  @Test
  void anythingElseIsRefusedWithTheDeclaredNames() {
    var two = new ModelRegistries(List.of("b=http://b", "a=http://a"), List.of());
    assertProblem(
        two.choose("nope"), "is not a model registry the administrator declared (declared: a, b)");
    assertProblem(two.choose(null), "several registries are declared: name one");
    assertProblem(
        new ModelRegistries(List.of(), List.of()).choose(null),
        "no model registry is declared: ask for modelops.model-registries");
  }

  @Test
  void aBadDeclarationStopsTheOperatorWithItsName() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ModelRegistries(List.of("MLflow=http://x"), List.of()));
    assertEquals(
        "modelops.model-registries: 'MLflow=http://x' is not NAME=URL with a DNS-label NAME",
        e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new ModelRegistries(List.of("mlflow=http://u:p@x"), List.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ModelRegistries(List.of("mlflow=http://x"), List.of("other=https://ui")),
        "a link for a registry that is not declared");
  }

  static void assertProblem(ModelRegistries.Choice choice, String text) {
    assertTrue(choice.registry().isEmpty());
    assertEquals(Reason.RegistryNotDeclared, choice.problem().reason());
    assertTrue(choice.problem().message().contains(text), choice.problem().message());
  }
}
