"""The monthly tests API: the bank, setting and publishing tests, taking them, results.

The answer key leaves the server only in the bank (to those who keep it) and on a finished
attempt once its test's window closed; another agent's answers never.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import HasRole, agent_of
from agents.models import Agent, Team
from qa.api.common import deny, name_input_components, not_found
from qa.models import CountedAttempt, QuestionKind, Quiz, QuizAttempt, QuizQuestion, QuizTopic
from qa.quizzes import access, selectors, services

IsQuizManager = HasRole.of(*access.QUIZ_MANAGERS)
ReadsResults = HasRole.of(*access.RESULT_READERS)


class TopicOutput(serializers.ModelSerializer):
    class Meta:
        model = QuizTopic
        fields = ["id", "name", "description"]


class QuestionOutput(serializers.ModelSerializer):
    topic_name = serializers.CharField(source="topic.name")

    class Meta:
        model = QuizQuestion
        fields = [
            "id",
            "topic",
            "topic_name",
            "kind",
            "text",
            "choices",
            "correct",
            "explanation",
            "active",
        ]


class QuizOutput(serializers.ModelSerializer):
    agents = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    teams = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Quiz
        fields = [
            "id",
            "title",
            "site",
            "status",
            "opens_at",
            "closes_at",
            "time_limit_minutes",
            "random_count",
            "attempts_allowed",
            "counts",
            "agents",
            "teams",
            "published_at",
        ]


class PaperQuestionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    choices = serializers.ListField(child=serializers.CharField())
    given = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    correct = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    explanation = serializers.CharField(allow_null=True)
    right = serializers.BooleanField(allow_null=True)


class AttemptOutput(serializers.ModelSerializer):
    agent_name = serializers.CharField(source="agent.display_name")
    questions = serializers.SerializerMethodField()

    class Meta:
        model = QuizAttempt
        fields = [
            "id",
            "quiz",
            "agent",
            "agent_name",
            "number",
            "status",
            "started_at",
            "deadline",
            "finished_at",
            "correct_count",
            "question_count",
            "score",
            "questions",
        ]

    @extend_schema(responses=PaperQuestionOutput(many=True))
    def get_questions(self, obj) -> list[dict]:
        user = self.context["request"].user
        rows = selectors.paper_questions(
            obj,
            show_answers=True,
            show_key=access.shows_key(user, obj, timezone.now()),
        )
        return PaperQuestionOutput(rows, many=True).data


class ResultOutput(serializers.Serializer):
    agent = serializers.IntegerField(source="agent.pk")
    agent_name = serializers.CharField(source="agent.display_name")
    team = serializers.CharField(source="agent.team.name", allow_null=True, default=None)
    attempts = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


def _quiz_for(request, quiz_id: int) -> Quiz:
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    if not access.can_view_quiz(request.user, quiz):
        raise not_found()
    return quiz


def _attempt_for(request, attempt_id: int) -> QuizAttempt:
    attempt = get_object_or_404(
        QuizAttempt.objects.select_related("quiz", "paper", "agent__team"), pk=attempt_id
    )
    if not access.can_view_attempt(request.user, attempt):
        raise not_found()
    return attempt


class QuizTopicListApi(APIView):
    """The bank's topics; POST adds one."""

    permission_classes = [IsQuizManager]

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=120)
        description = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(responses=TopicOutput(many=True))
    def get(self, request):
        return Response(TopicOutput(selectors.topics(), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: TopicOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        topic = services.quiz_topic_create(actor=request.user, **data.validated_data)
        return Response(TopicOutput(topic).data, status=status.HTTP_201_CREATED)


class QuizQuestionListApi(APIView):
    """The question bank with its answer key (for those who keep it); POST adds a question."""

    permission_classes = [IsQuizManager]

    class InputSerializer(serializers.Serializer):
        topic = serializers.PrimaryKeyRelatedField(queryset=QuizTopic.objects.all())
        kind = serializers.ChoiceField(choices=QuestionKind.choices)
        text = serializers.CharField()
        choices = serializers.ListField(child=serializers.CharField(allow_blank=True), default=list)
        correct = serializers.ListField(child=serializers.IntegerField(min_value=0))
        explanation = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(responses=QuestionOutput(many=True))
    def get(self, request):
        return Response(QuestionOutput(selectors.bank(), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: QuestionOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = services.quiz_question_create(actor=request.user, **data.validated_data)
        return Response(QuestionOutput(question).data, status=status.HTTP_201_CREATED)


class QuizQuestionRetireApi(APIView):
    permission_classes = [IsQuizManager]

    @extend_schema(request=None, responses=QuestionOutput)
    def post(self, request, question_id: int):
        question = services.quiz_question_retire(
            actor=request.user, question=get_object_or_404(QuizQuestion, pk=question_id)
        )
        return Response(QuestionOutput(question).data)


class QuizListApi(APIView):
    """The tests: an agent's own published ones; every test for those who read results. POST
    (those who keep the bank) sets a draft."""

    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200)
        opens_at = serializers.DateTimeField()
        closes_at = serializers.DateTimeField()
        time_limit_minutes = serializers.IntegerField(min_value=1, max_value=600)
        questions = serializers.PrimaryKeyRelatedField(
            queryset=QuizQuestion.objects.all(), many=True, required=False, default=list
        )
        topics = serializers.PrimaryKeyRelatedField(
            queryset=QuizTopic.objects.all(), many=True, required=False, default=list
        )
        random_count = serializers.IntegerField(min_value=0, max_value=200, default=0)
        attempts_allowed = serializers.IntegerField(min_value=1, max_value=10, default=1)
        counts = serializers.ChoiceField(choices=CountedAttempt.choices, default="best")
        agents = serializers.PrimaryKeyRelatedField(
            queryset=Agent.objects.all(), many=True, required=False, default=list
        )
        teams = serializers.PrimaryKeyRelatedField(
            queryset=Team.objects.all(), many=True, required=False, default=list
        )

    @extend_schema(responses=QuizOutput(many=True))
    def get(self, request):
        if access.reads_results(request.user):
            rows = selectors.quiz_list()
        else:
            own = agent_of(request.user)
            rows = selectors.quizzes_for_agent(own) if own is not None else Quiz.objects.none()
        return Response(QuizOutput(rows.prefetch_related("agents", "teams")[:200], many=True).data)

    @extend_schema(request=InputSerializer, responses={201: QuizOutput})
    def post(self, request):
        if not access.manages_quizzes(request.user):
            raise deny()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        quiz = services.quiz_create(actor=request.user, **data.validated_data)
        return Response(QuizOutput(quiz).data, status=status.HTTP_201_CREATED)


class QuizDetailApi(APIView):
    @extend_schema(responses=QuizOutput)
    def get(self, request, quiz_id: int):
        return Response(QuizOutput(_quiz_for(request, quiz_id)).data)


class QuizPublishApi(APIView):
    permission_classes = [IsQuizManager]

    @extend_schema(request=None, responses=QuizOutput)
    def post(self, request, quiz_id: int):
        quiz = services.quiz_publish(actor=request.user, quiz=get_object_or_404(Quiz, pk=quiz_id))
        return Response(QuizOutput(quiz).data)


class QuizWithdrawApi(APIView):
    permission_classes = [IsQuizManager]

    @extend_schema(request=None, responses=QuizOutput)
    def post(self, request, quiz_id: int):
        quiz = services.quiz_withdraw(actor=request.user, quiz=get_object_or_404(Quiz, pk=quiz_id))
        return Response(QuizOutput(quiz).data)


class QuizStartApi(APIView):
    """The agent starts (or resumes) an attempt: the paper, without the key."""

    @extend_schema(request=None, responses={201: AttemptOutput})
    def post(self, request, quiz_id: int):
        attempt = services.quiz_attempt_start(actor=request.user, quiz=_quiz_for(request, quiz_id))
        return Response(
            AttemptOutput(attempt, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class QuizResultsApi(APIView):
    """Each assigned agent the caller reads, with the attempt that counts."""

    permission_classes = [ReadsResults]

    @extend_schema(responses=ResultOutput(many=True))
    def get(self, request, quiz_id: int):
        quiz = _quiz_for(request, quiz_id)
        return Response(
            ResultOutput(selectors.quiz_results(quiz, user=request.user), many=True).data
        )


class QuizAttemptDetailApi(APIView):
    @extend_schema(responses=AttemptOutput)
    def get(self, request, attempt_id: int):
        attempt = _attempt_for(request, attempt_id)
        return Response(AttemptOutput(attempt, context={"request": request}).data)


class QuizAttemptSubmitApi(APIView):
    """Hand in the answers ({"answers": {"<question id>": [choice indexes]}}); marked at once."""

    class InputSerializer(serializers.Serializer):
        answers = serializers.DictField(
            child=serializers.ListField(child=serializers.IntegerField())
        )

    @extend_schema(request=InputSerializer, responses=AttemptOutput)
    def post(self, request, attempt_id: int):
        attempt = _attempt_for(request, attempt_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attempt = services.quiz_attempt_submit(
            actor=request.user, attempt=attempt, answers=data.validated_data["answers"]
        )
        return Response(AttemptOutput(attempt, context={"request": request}).data)


name_input_components(globals())
